/**
 * @module realm-api — the dev app's recovery realm (in the e2e vault's process, at
 * /realm) read and attacked from Node with nothing but the user's JWT, as anyone holding
 * it (the dApp's backend, its identity provider, a stolen session) could: the tests read
 * the guess counter and make guesses without the wallet, the vault or its rate limit.
 */
import { randomBytes } from 'node:crypto';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { APP } from './vault-api.ts';

export interface RealmRegistrationView {
  walletId: string;
  epochs: number[];
  guesses: number;
  guessLimit: number;
  locked: boolean;
  lastWrongAt: string | null;
  lastUnlockAt: string | null;
}

const base = (vault: string) => `${vault}/realm/v1/apps/${APP}`;

/** `GET …/registration`: the counter and lock state the wallet reads after an unlock. */
export async function realmRegistration(vault: string, token: string) {
  const r = await fetch(`${base(vault)}/registration`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as RealmRegistrationView };
}

/**
 * One guess at the realm: an unsigned `POST …/evaluate` of a random group element (what a
 * blinded guess looks like to the realm). Counted against the registration's limit.
 */
export async function realmGuess(vault: string, token: string, walletId: string, epoch: number) {
  const n = ristretto255.Point.Fn.ORDER;
  const scalar = 1n + (BigInt(`0x${randomBytes(64).toString('hex')}`) % (n - 1n));
  const blinded = ristretto255.Point.BASE.multiply(scalar).toBytes();
  const r = await fetch(`${base(vault)}/evaluate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ walletId, epoch, blinded: Buffer.from(blinded).toString('base64url') }),
  });
  return {
    status: r.status,
    body: (await r.json().catch(() => null)) as {
      code?: string;
      guesses?: number;
      guessLimit?: number;
      counted?: boolean;
    },
  };
}
