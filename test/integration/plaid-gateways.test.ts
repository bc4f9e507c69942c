import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaidFetchGateway } from '../../functions/adapters/plaid-fetch-gateway';
import { PlaidClientGateway, type PlaidSettings } from '../../functions/adapters/plaid-gateway';
import type { PlaidGateway } from '../../functions/domain/ports/plaid-gateway';
import { type PlaidEmulator, startPlaidEmulator } from '../../local/emulators/plaid';

const CLIENT_ID = 'plaid-gateways-test-client';
const SECRET = 'plaid-gateways-test-secret';

let emulator: PlaidEmulator;

beforeAll(async () => {
  emulator = await startPlaidEmulator({ clientId: CLIENT_ID, secret: SECRET });
  await control('/emulator/webhooks', { enabled: false });
});
afterAll(async () => {
  await emulator?.close();
});

async function control(path: string, body: unknown = {}) {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

const settings = (overrides: Partial<PlaidSettings> = {}): PlaidSettings => ({
  basePath: emulator.url,
  clientId: CLIENT_ID,
  secret: async () => SECRET,
  clientName: 'LinkGuard',
  products: ['transactions'],
  countryCodes: ['US'],
  webhookUrl: 'https://hooks.example.org/v1/plaid/webhook',
  timeoutMs: 2000,
  ...overrides,
});

/** What a failure looks like to the domain: Plaid's code and type, the HTTP status. */
const failureOf = async (work: Promise<unknown>) =>
  work.then(
    () => 'no failure',
    (error: { code?: string; plaidCode?: string; plaidType?: string; httpStatus?: number }) => ({
      code: error.code,
      plaidCode: error.plaidCode,
      plaidType: error.plaidType,
      httpStatus: error.httpStatus,
    }),
  );

/**
 * The same story through each gateway, against the emulator whose wire format
 * `plaid-emulator.test.ts` checks with the official client: what one gateway answers, the other
 * must answer too, failures included.
 */
async function story(make: (s: PlaidSettings) => PlaidGateway) {
  const plaid = make(
    settings({
      redirectUri: 'https://app.example.org/oauth',
      androidPackageName: 'org.example.app',
      linkCustomizationName: 'brand',
    }),
  );
  const link = await plaid.createLinkToken({ userId: 'usr_contract', platform: 'android' });
  const done = await control('/emulator/link/complete', {
    linkToken: link.linkToken,
    institutionId: 'ins_109508',
  });
  const sessions = await plaid.getLinkSessions(link.linkToken);
  const exchanged = await plaid.exchangePublicToken(done.publicToken as string);
  const healthy = await plaid.getItem(exchanged.accessToken);
  const update = await plaid.createLinkToken({
    userId: 'usr_contract',
    accessToken: exchanged.accessToken,
    platform: 'ios',
    accountSelection: true,
  });
  const sent = (token: string) => emulator.linkTokens().find((l) => l.token === token);
  await control(`/emulator/items/${exchanged.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
  const broken = await plaid.getItem(exchanged.accessToken);
  await plaid.updateWebhook(exchanged.accessToken, 'https://hooks.example.org/v2');
  await plaid.removeItem(exchanged.accessToken);
  return {
    link: {
      prefix: link.linkToken.split('-').slice(0, 2).join('-'),
      expiresIso: !Number.isNaN(Date.parse(link.expiration)),
    },
    update: update.linkToken.split('-').slice(0, 2).join('-'),
    // What each gateway asked Plaid for: the new link names its webhook and Android package;
    // update mode names neither webhook nor products, but the redirect URI and Account Select.
    sentLink: { ...sent(link.linkToken)?.request, webhook: sent(link.linkToken)?.webhook },
    sentUpdate: { ...sent(update.linkToken)?.request, webhook: sent(update.linkToken)?.webhook },
    sessions: sessions.map((s) => ({
      ...s,
      linkSessionId: s.linkSessionId.length > 0,
      itemAdds: s.itemAdds.map((a) => ({ ...a, publicToken: a.publicToken === done.publicToken })),
    })),
    itemIdShape: /^[A-Za-z0-9_-]+$/.test(exchanged.itemId),
    // Plaid's data timestamp moves with time between the two runs: compare its shape.
    healthy: { ...healthy, itemId: 'x', lastSuccessfulUpdate: isoShape(healthy.lastSuccessfulUpdate) },
    broken: { ...broken, itemId: 'x', lastSuccessfulUpdate: isoShape(broken.lastSuccessfulUpdate) },
    afterRemove: await failureOf(plaid.getItem(exchanged.accessToken)),
    badPublicToken: await failureOf(plaid.exchangePublicToken('public-sandbox-not-a-token')),
    unknownKey: await failureOf(plaid.webhookVerificationKey('no-such-kid')),
    wrongSecret: await failureOf(
      make(settings({ secret: async () => 'wrong' })).createLinkToken({ userId: 'u' }),
    ),
    unreachable: await failureOf(
      make(settings({ basePath: 'http://127.0.0.1:9' })).createLinkToken({ userId: 'u' }),
    ),
  };
}

describe('Plaid gateways: the fetch transport answers as the official client does', () => {
  it('links, reads, breaks, repairs the webhook and removes an Item, and fails alike', async () => {
    // Act
    const official = await story((s) => new PlaidClientGateway(s));
    const fetched = await story((s) => new PlaidFetchGateway(s));

    // Assess
    expect(fetched).toEqual(official);
    expect(official.sentLink).toMatchObject({
      androidPackageName: 'org.example.app',
      redirectUri: null,
      linkCustomizationName: 'brand',
      webhookGiven: 'https://hooks.example.org/v1/plaid/webhook',
    });
    expect(official.sentUpdate).toMatchObject({
      redirectUri: 'https://app.example.org/oauth',
      androidPackageName: null,
      accountSelectionEnabled: true,
      webhookGiven: null,
      webhook: null,
    });
    expect(official.sessions).toEqual([
      {
        linkSessionId: true,
        itemAdds: [
          {
            publicToken: true,
            institutionId: 'ins_109508',
            institutionName: 'First Platypus Bank',
            accountMasks: ['0000', '1111', '3333'],
          },
        ],
      },
    ]);
    expect(official.healthy.updateType).toBe('background');
    expect(official.broken.error).toEqual({ code: 'ITEM_LOGIN_REQUIRED', message: expect.any(String) });
    expect(official.afterRemove).toMatchObject({ code: 'PLAID_REQUEST_FAILED', httpStatus: 400 });
    expect(official.wrongSecret).toMatchObject({ plaidCode: 'INVALID_API_KEYS', httpStatus: 400 });
    expect(official.unreachable).toMatchObject({ plaidCode: 'PLAID_UNREACHABLE', httpStatus: undefined });
  });

  it('reads a webhook verification key alike', async () => {
    // Prepare: a signed webhook names the current key.
    const plaid = new PlaidClientGateway(settings());
    const link = await plaid.createLinkToken({ userId: 'usr_keys' });
    const done = await control('/emulator/link/complete', {
      linkToken: link.linkToken,
      institutionId: 'ins_109508',
    });
    await plaid.exchangePublicToken(done.publicToken as string);
    await control('/emulator/webhooks', { enabled: true });
    const { itemId } = emulator.items().at(-1) ?? { itemId: '' };
    await control(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await emulator.webhooksSettled();
    await control('/emulator/webhooks', { enabled: false });
    const verification = [...emulator.webhooks()]
      .reverse()
      .find((w) => w.verification !== null)?.verification;
    const kid = JSON.parse(Buffer.from(verification?.split('.')[0] ?? '', 'base64url').toString())
      .kid as string;

    // Act
    const official = await plaid.webhookVerificationKey(kid);
    const fetched = await new PlaidFetchGateway(settings()).webhookVerificationKey(kid);

    // Assess
    expect(fetched).toEqual(official);
    expect(official.jwk).toMatchObject({ kid, kty: 'EC', crv: 'P-256' });
  });

  it('never lets the secret into a failure', async () => {
    const gateway = new PlaidFetchGateway(settings({ secret: async () => 'secret-that-must-not-leak-0123' }));
    const failure = await gateway.createLinkToken({ userId: 'u' }).catch((error: unknown) => error);
    const seen = JSON.stringify({
      ...(failure as object),
      message: (failure as Error).message,
      stack: (failure as Error).stack,
    });
    expect(seen).not.toContain('secret-that-must-not-leak-0123');
    expect((failure as Error).cause).toBeUndefined();
  });
});

/** `iso` for an ISO-8601 UTC time, else the value itself. */
function isoShape(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) ? 'iso' : value;
}
