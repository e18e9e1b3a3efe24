/** @module kdf-types — the messages between the wallet page and its KDF worker. */
import type { ShareEnvelope } from '@trine/core/envelope';
import type { TrineErrorCode } from '@trine/core/errors';
import type { SealStage } from '@trine/core/seal';
import type { KdfParams, SealedRecord } from '@trine/core/sealed-record';

export type KdfJob =
  | { op: 'seal'; envelope: ShareEnvelope; secret: string; kdf?: KdfParams }
  | { op: 'open'; record: SealedRecord; secret: string }
  /** h = Argon2id(normalised answer, salt, kdf) for the realm scheme (no sealing here). */
  | { op: 'hash'; secret: string; salt: Uint8Array; kdf: KdfParams }
  /** Load and compile the Argon2id wasm now (no secret), so the first real job is warm. */
  | { op: 'warm' };

export type KdfReply =
  | { type: 'progress'; stage: SealStage }
  /** `ms`: the worker's own time for the job (Argon2id + AES-GCM), for the benchmark. */
  | { type: 'result'; value: SealedRecord | ShareEnvelope | Uint8Array | null; ms: number }
  | { type: 'error'; error: { name: string; code?: TrineErrorCode; message: string } };
