import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../local/clock';
import { startTestApi } from '../support/test-runtime';

const run = promisify(execFile);
const README = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** Every ```sh block of the README's walkthrough (from "## Walkthrough" to the next "## "). */
function walkthroughBlocks(): { title: string; script: string }[] {
  const start = README.indexOf('\n## Walkthrough');
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end);
  const blocks: { title: string; script: string }[] = [];
  let title = 'Walkthrough';
  for (const part of section.split(/^```/m).entries()) {
    const [index, text] = part;
    if (index % 2 === 0) {
      title = [...text.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? title;
    } else if (text.startsWith('sh\n')) {
      blocks.push({ title, script: text.slice(3) });
    }
  }
  return blocks;
}

let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  // One clock for the API, the poller and the emulator, served at /_local/clock as `npm start` does.
  const clock = new OffsetClock();
  api = await startTestApi({ providers: true, plaid: { now: () => clock.now() }, localClock: clock });
});
afterAll(async () => {
  await api.close();
});

describe('The README walkthrough, run as a reader runs it', () => {
  const blocks = walkthroughBlocks();

  it('has the blocks this test expects', () => {
    expect(blocks.map((b) => b.title)).toEqual([
      'Walkthrough',
      'Signing in with a phone',
      'Signing in with WeChat, QQ, Apple or Google',
      'A bank link that breaks and gets repaired',
      'Deleting an account',
      "Plaid's slower failures: a pending disconnect, staleness, an outage",
    ]);
  });

  /** The block as written, pointed at this test's servers instead of :3000-:3002. */
  const runBlock = async (script: string) => {
    const pointed = script
      .replaceAll('http://localhost:3000', api.url)
      .replaceAll('http://localhost:3001', api.plaid?.url ?? '')
      .replaceAll('http://localhost:3002', api.providers?.url ?? '');
    const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', pointed], {
      timeout: 60_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    return { stdout, stderr };
  };

  it.each([1, 2])(
    'runs every block as written and shows what it says it shows (run %i)',
    async () => {
      const outputs = new Map<string, string>();
      for (const block of blocks) {
        // Act
        const { stdout, stderr } = await runBlock(block.script).catch(
          (error: { stdout?: string; stderr?: string }) => {
            throw new Error(`"${block.title}" failed:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
          },
        );
        outputs.set(block.title, stdout);

        // Assess: no failure, no undefined token, no script error
        expect(stderr, block.title).not.toMatch(/Error|undefined/);
        expect(stdout, block.title).not.toMatch(/undefined|TypeError|SyntaxError/);
      }

      // Assess: the outcomes the README's comments promise
      expect(outputs.get('Walkthrough')).toMatch(/"error":"invalid_grant"/);
      expect(outputs.get('Walkthrough')).toMatch(/429[\s\S]*ACCOUNT_LOCKED/i);
      expect(outputs.get('Signing in with a phone')).toContain('"code":"LAST_IDENTITY"');
      expect(outputs.get('Signing in with WeChat, QQ, Apple or Google')).toContain('Ana Apple');
      const bank = outputs.get('A bank link that breaks and gets repaired') ?? '';
      expect(bank).toContain('Your bank needs you to sign in again.');
      expect(bank).toMatch(/"changed":1,"notified":1/);
      expect(bank).toMatch(/"changed":0,"notified":0/);
      expect(bank).toMatch(/^login_required$/m);
      expect(bank).toMatch(/ERROR → delivered/);
      expect(bank.match(/^healthy$/gm)?.length).toBe(2);
      const slow = outputs.get("Plaid's slower failures: a pending disconnect, staleness, an outage") ?? '';
      // A pending disconnect stays pending through a clean poll, with its countdown, then breaks.
      expect(slow).toMatch(/^pending_disconnect until \d{4}-/m);
      expect(slow).toMatch(/will stop sharing data in 7 days/);
      expect(slow).not.toMatch(/connected again/);
      expect(slow).toMatch(/^login_required$/m);
      // Staleness: marked, and told once.
      expect(slow).toMatch(/^healthy, stale since \d{4}-/m);
      expect(slow.match(/no new data from your bank/g)?.length).toBe(1);
      // An outage holds the alert; it goes out once the institution is back.
      expect(slow).toMatch(/^login_required, institution degraded$/m);
      expect(slow).toMatch(/^alerts while degraded: 0$/m);
      expect(slow).toMatch(/^alerts once it is back: 1$/m);
      const deletion = outputs.get('Deleting an account') ?? '';
      expect(deletion).toMatch(/\{"deletedAt":"[^"]+"\}/);
      expect(deletion).toMatch(/^(INVALID_TOKEN|REAUTH_REQUIRED)$/m);
      expect(deletion).toMatch(/^plaid-item done PLAID_REQUEST_FAILED$/m);
      expect(deletion).toMatch(/^apple-token done$/m);
      expect(deletion).toContain('Plaid Item removed: true');
      expect(deletion).toContain('Apple revocations: refresh_token');
    },
    300_000,
  );
});
