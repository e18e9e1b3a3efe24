/**
 * @module logger — pino JSON lines. The access log records method, route template,
 * status, duration, appId and request id only; realm events add counts, never a token,
 * an element, a masked share or a tag. The redaction list is a second fence in case a
 * secret-bearing object is ever logged by mistake.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'token',
  'maskedShare',
  'unlockTag',
  'blinded',
  'evaluated',
  'secretKey',
  'keySeed',
  '*.authorization',
  '*.token',
  '*.maskedShare',
  '*.unlockTag',
  '*.blinded',
  '*.evaluated',
  '*.secretKey',
  '*.keySeed',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'trine-realm' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination(1),
  );
}
