import type { startTestApi } from './test-runtime';

type Api = Awaited<ReturnType<typeof startTestApi>>;

/** POSTs JSON to the Plaid emulator's control endpoints. */
export async function plaidControl(api: Api, path: string, body: unknown = {}) {
  const response = await fetch(`${api.plaid?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let users = 0;
/** A signed-in user with a verified phone (so SMS alerts apply). */
export async function phoneUser(api: Api, latestCode: (phone: string) => string) {
  users++;
  const phone = `+861380013${String(8000 + users).padStart(4, '0')}`;
  await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  const verified = await api.call('POST', '/v1/auth/sms/verify', {
    json: { phone, code: latestCode(phone) },
  });
  return {
    token: verified.body.access_token as string,
    refreshToken: verified.body.refresh_token as string,
    userId: verified.body.user.id as string,
    phone,
  };
}

/** Refreshes the user's tokens, as an app does when its access token has expired. */
export async function renew(api: Api, user: { token: string; refreshToken: string }) {
  const r = await api.call('POST', '/v1/oauth/token', {
    json: { grant_type: 'refresh_token', refresh_token: user.refreshToken },
  });
  user.token = r.body.access_token;
  user.refreshToken = r.body.refresh_token;
}

/**
 * Links a bank the way the app does: a link token → the user finishes Link → the public token,
 * the link token and Link's onSuccess metadata to `POST /v1/plaid/items`.
 */
export async function linkBank(api: Api, token: string, institutionId = 'ins_109508') {
  const { body: link } = await api.call('POST', '/v1/plaid/link-token', { token });
  const done = await plaidControl(api, '/emulator/link/complete', {
    linkToken: link.linkToken,
    institutionId,
  });
  return api.call('POST', '/v1/plaid/items', {
    token,
    json: {
      publicToken: done.body.publicToken,
      linkToken: link.linkToken,
      metadata: appMetadata(done.body.metadata),
    },
  });
}

/** Link's onSuccess metadata (snake_case, as Link gives it) the way the app forwards it. */
export function appMetadata(metadata: unknown) {
  const m = metadata as {
    institution?: { institution_id?: string };
    accounts?: { id: string; mask: string | null; name: string }[];
    link_session_id?: string;
  };
  return {
    institutionId: m.institution?.institution_id,
    accounts: (m.accounts ?? []).map(({ id, mask, name }) => ({ id, mask, name })),
    linkSessionId: m.link_session_id,
  };
}

/** Runs one poller pass over every Item. */
export async function pollAll(api: Api) {
  return (await api.call('POST', '/_local/poller/run', { json: {} })).body as {
    checked: number;
    changed: number;
    notified: number;
  };
}
