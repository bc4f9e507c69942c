import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes and of the whole machine, from Linux's /proc: which process a pass
 * kept busy (the bench's own Node process, the Plaid emulator, DynamoDB Local's JVM) and how
 * busy the machine was, other work included. Elsewhere every reading is undefined.
 */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** `/proc/<pid>/stat`, split after the command name (which may contain spaces). */
function statFields(pid: number): { comm: string; rest: string[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    return { comm: text.slice(open + 1, close), rest: text.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

/** User + system CPU milliseconds a process has used so far (its threads included). */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  // After the name: state(0) ppid(1) … utime(11) stime(12), in clock ticks.
  const ticks = Number(fields.rest[11]) + Number(fields.rest[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks() : undefined;
}

/**
 * The ids of this process's descendants running `command` (as /proc names it, e.g. `java`):
 * DynamoDB Local's JVM runs under a small shell that stops it when this process goes.
 */
export function childPids(command: string): number[] {
  const descends = (pid: number): boolean => {
    let current = pid;
    for (let depth = 0; depth < 4; depth++) {
      const parent = Number(statFields(current)?.rest[1]);
      if (!Number.isInteger(parent) || parent <= 1) return false;
      if (parent === process.pid) return true;
      current = parent;
    }
    return false;
  };
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => statFields(pid)?.comm === command && descends(pid));
  } catch {
    return [];
  }
}

/** Busy and total CPU milliseconds of the whole machine so far (all cores, from /proc/stat). */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const scale = 1000 / clockTicks();
    return { busy: (total - idle) * scale, total: total * scale };
  } catch {
    return undefined;
  }
}

/** CPU readings at one moment: this process, the given others, the machine. */
export interface CpuSnapshot {
  self: number;
  others: Record<string, number | undefined>;
  machine: { busy: number; total: number } | undefined;
}

export function cpuSnapshot(others: Record<string, number | undefined>): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    self: (usage.user + usage.system) / 1000,
    others: Object.fromEntries(Object.entries(others).map(([name, pid]) => [name, processCpuMs(pid)])),
    machine: machineCpuMs(),
  };
}

/** CPU milliseconds used between two snapshots, per process, and the machine's busy share. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  const others: Record<string, number | undefined> = {};
  for (const name of Object.keys(b.others)) {
    const before = a.others[name];
    const after = b.others[name];
    others[name] = before === undefined || after === undefined ? undefined : after - before;
  }
  const machine =
    a.machine === undefined || b.machine === undefined
      ? undefined
      : { busy: b.machine.busy - a.machine.busy, total: b.machine.total - a.machine.total };
  return { self: b.self - a.self, others, machine };
}
