/**
 * @module logger — pino JSON lines. The access log records method, route template,
 * status, duration, appId and request id only; the redaction list is a second fence in
 * case a secret-bearing object is ever logged by mistake.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'token',
  'authShare',
  'sealed',
  'share',
  'answer',
  '*.authorization',
  '*.token',
  '*.authShare',
  '*.sealed',
  '*.share',
  '*.answer',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'trine-vault' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination(1),
  );
}
