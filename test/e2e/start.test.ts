import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import { isPortTaken } from '../../local/ports';

/** `npm start` as a new user runs it, on free ports and with its own data folder. */
async function npmStart(env: Record<string, string>, args: string[] = []) {
  const child = spawn('npm', ['start', '--', ...args], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 45_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

describe('npm start, as a new user meets it', () => {
  it('names the variable of every busy port in one line each, no stack; kill -9 of npm leaves nothing behind', async () => {
    // Prepare: one instance running
    const ports = {
      PORT: String(await freePort()),
      PLAID_EMULATOR_PORT: String(await freePort()),
      PROVIDERS_EMULATOR_PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
    };
    const env = { ...ports, LINKGUARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'linkguard-start-')) };
    const first = await npmStart(env, ['--persist']);
    started.push(first.child);
    await until('the banner', () => first.output().includes('LinkGuard is running.'));
    expect(first.output()).toContain('Listening on 127.0.0.1 only');

    // Act: start again on the same ports
    const second = await npmStart(env);
    started.push(second.child);
    const code = await second.exited;

    // Assess: one line per port, naming its variable; no stack trace
    expect(code).not.toBe(0);
    const lines = second
      .output()
      .split('\n')
      .filter((l) => l.startsWith('Port '));
    expect(lines.map((l) => /choose another port: (\w+)=/.exec(l)?.[1])).toEqual([
      'PORT',
      'PLAID_EMULATOR_PORT',
      'PROVIDERS_EMULATOR_PORT',
      'DYNAMODB_PORT',
    ]);
    expect(second.output()).not.toMatch(/\n\s+at |EADDRINUSE|Unhandled/);

    // Act: kill -9 of the npm process only
    first.child.kill('SIGKILL');

    // Assess: every port is free again (DynamoDB Local's Java included), and the pid file gone
    await until('the ports to be free', async () => {
      for (const port of Object.values(ports)) if (await isPortTaken(Number(port), '127.0.0.1')) return false;
      return true;
    });
    expect(existsSync(join(env.LINKGUARD_DATA_DIR, 'dynamodb'))).toBe(true);
    await until(
      'the pid file to go',
      () => !existsSync(join(env.LINKGUARD_DATA_DIR, 'npm-start.pid')),
      10_000,
    );
  }, 120_000);

  it('refuses a port that is not a number, naming the variable', async () => {
    const run = await npmStart({ PLAID_EMULATOR_PORT: 'thirty-one' });
    started.push(run.child);
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('PLAID_EMULATOR_PORT=thirty-one is not a port');
  });
});
