/**
 * @module vault-api — what the vault holds for a user, read from Node (no browser
 * Origin header, so the wallet-origin check does not apply): the tests compare it with
 * what the host page saw, and check deletion and limits.
 */
export const APP = 'dev';

export async function devToken(vault: string, sub: string): Promise<string> {
  const r = await fetch(`${vault}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  if (!r.ok) throw new Error(`dev token: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

export async function vaultGet(vault: string, token: string, path: string) {
  const r = await fetch(`${vault}/v1/apps/${APP}/wallet${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as unknown };
}

export async function vaultRecovery(vault: string, token: string) {
  const r = await fetch(`${vault}/v1/apps/${APP}/wallet/recovery`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as unknown };
}
