import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi';
import { emitTypeScriptClient } from '../../tools/emit-typescript-client';

const run = promisify(execFile);
const TSC = resolve('node_modules/.bin/tsc');

/** A mobile or web app's calls, as the docs show them; each @ts-expect-error must be an error. */
const SAMPLE = `
import { createClient, type Item, type User } from './linkguard-client';

let accessToken: string | undefined;
const api = createClient({ baseUrl: 'https://api.example.org', accessToken: () => accessToken });

export async function signUp(): Promise<User | undefined> {
  const r = await api('register', { body: { username: 'dora', password: 'correct horse battery' } });
  if (r.ok) {
    accessToken = r.body.access_token;
    const refresh: string = r.body.refresh_token;
    const created: string = r.body.user.createdAt;
    void refresh;
    void created;
    return r.body.user;
  }
  if (r.status === 'other') return undefined;
  const code: 'VALIDATION_FAILED' | 'MALFORMED_BODY' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'USERNAME_TAKEN' | 'PASSWORD_TOO_COMMON' | 'INTERNAL' = r.body.code;
  // @ts-expect-error register never answers INVALID_CREDENTIALS
  if (r.body.code === 'INVALID_CREDENTIALS') return undefined;
  void code;
  return undefined;
}

export async function bankLinks(): Promise<Item[]> {
  const one = await api('plaidGetItem', { params: { itemId: 'item_1' } });
  if (one.ok) one.body.status satisfies 'healthy' | 'login_required' | 'pending_expiration' | 'pending_disconnect' | 'revoked' | 'error' | 'not_found';
  const events = await api('plaidItemEvents', { params: { itemId: 'item_1' }, query: { cursor: 'abc' } });
  if (events.ok) events.body.nextCursor satisfies string | undefined;
  const list = await api('plaidListItems', {});
  return list.ok ? list.body.items : [];
}

export async function refresh(token: string) {
  const r = await api('token', { body: { grant_type: 'refresh_token', refresh_token: token } });
  if (!r.ok && r.status === 400) r.body.error satisfies 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type';
  await api('logout', {});
  // @ts-expect-error the password is required
  await api('login', { body: { username: 'dora' } });
  // @ts-expect-error there is no such operation
  await api('deleteEverything', {});
  // @ts-expect-error the item id is a path parameter, and required
  await api('plaidGetItem', {});
}
`;

describe('Function: emitTypeScriptClient', () => {
  let folder: string;

  beforeAll(async () => {
    await mkdir(resolve('.openapi'), { recursive: true });
    folder = await mkdtemp(join(resolve('.openapi'), 'client-test-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('emits a client whose types compile against a sample call, and refuse wrong ones', async () => {
    // Prepare
    await writeFile(join(folder, 'linkguard-client.ts'), emitTypeScriptClient(openApiDocument()));
    await writeFile(join(folder, 'sample.ts'), SAMPLE);
    await writeFile(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'preserve',
          moduleResolution: 'bundler',
          strict: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          noEmit: true,
          types: [],
        },
        files: ['sample.ts'],
      }),
    );

    // Act
    const result = await run(TSC, ['-p', folder]).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
    );

    // Assess
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails loudly on a schema construct it does not know', () => {
    const doc = openApiDocument() as { components: { schemas: Record<string, unknown> } };
    const broken = {
      ...doc,
      components: { ...doc.components, schemas: { Odd: { not: { type: 'string' } } } },
    };
    expect(() => emitTypeScriptClient(broken)).toThrow(/Unsupported schema/);
  });
});
