import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process's parent id and command line, from /proc (Linux) or `ps` (macOS, BSD). */
function describe(pid: number): { ppid: number; command: string } | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return { ppid, command };
    }
    const line = execFileSync('ps', ['-o', 'ppid=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const [ppid, ...command] = line.split(/\s+/);
    return { ppid: Number(ppid), command: command.join(' ') };
  } catch {
    return undefined;
  }
}

/**
 * The processes that launched this one, up to and including `npm` when `npm start` did: npm,
 * the shell it runs the script in, and tsx's launcher. Without npm, just the parent.
 */
export function launcherChain(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 6 && pid > 1; depth += 1) {
    const info = describe(pid);
    if (info === undefined) break;
    chain.push(pid);
    if (/(^|[/\s])npm(-cli\.js)?(\s|$)/.test(info.command)) return chain;
    pid = info.ppid;
  }
  return chain.slice(0, 1);
}

/**
 * Calls `onGone` once when any launcher process is gone. `kill -9` of `npm start` kills npm
 * alone: its shell and our process would live on, holding the ports, without this.
 *
 * @example
 * const watch = watchLaunchers(() => void stop(0));
 * // … later: watch.cancel();
 */
export function watchLaunchers(onGone: (pid: number) => void, everyMs = 500): { cancel(): void } {
  const chain = launcherChain();
  const timer = setInterval(() => {
    for (const pid of chain) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EPERM') continue;
        clearInterval(timer);
        onGone(pid);
        return;
      }
    }
    // Reparented (the direct parent died and its pid was reused): gone too.
    if (chain[0] !== undefined && process.ppid !== chain[0]) {
      clearInterval(timer);
      onGone(chain[0]);
    }
  }, everyMs);
  timer.unref();
  return { cancel: () => clearInterval(timer) };
}
