import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATA_DIR } from './environment';

/** Where each piece of local state lives, all under the git-ignored `.data/`. */
export const LOCAL_DATA = {
  /** DynamoDB Local's files under `--persist`. */
  dynamodb: resolve(DATA_DIR, 'dynamodb'),
  /** The Plaid emulator's Items and tokens under `--persist`. */
  plaidEmulator: resolve(DATA_DIR, 'plaid-emulator.json'),
  /** The running `npm start`'s process id. */
  pidFile: resolve(DATA_DIR, 'npm-start.pid'),
} as const;

/** The process id of a running `npm start`, if one is running. */
export function runningStart(): number | undefined {
  if (!existsSync(LOCAL_DATA.pidFile)) return undefined;
  const pid = Number(readFileSync(LOCAL_DATA.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Deletes all local state: the persisted database, the emulators' persisted state, and the
 * local signing keys, SMS pepper and token key (so old tokens stop working too). Returns what
 * it removed, relative to the project.
 */
export function wipeLocalData(): string[] {
  if (!existsSync(DATA_DIR)) return [];
  rmSync(DATA_DIR, { recursive: true, force: true });
  return ['.data/'];
}
