import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/**
 * A V8 CPU profile of this process around a piece of work (`--poller-cpu-prof`), written as a
 * `.cpuprofile` (open it in Chrome DevTools) and summarised: self time by where the code comes
 * from (a package, our `functions/`, Node's internals, the garbage collector).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Where a function's code comes from. */
function origin(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native, not JS)';
    return `(native) ${functionName}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const name = url.slice('node:'.length);
    return `node:${name.startsWith('internal/') ? name.split('/').slice(0, 2).join('/') : name}`;
  }
  for (const dir of ['functions', 'local', 'bench']) if (url.includes(`/${dir}/`)) return `${dir}/`;
  return url;
}

/** Starts profiling; the returned function stops, writes `path` and returns self time by origin. */
export async function startProfile(): Promise<
  (path: string) => Promise<{ origin: string; share: number }[]>
> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async (path) => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    await writeFile(path, JSON.stringify(profile));
    const byOrigin = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const key = origin(node);
      if (key === '(idle)') continue;
      byOrigin.set(key, (byOrigin.get(key) ?? 0) + hits);
      total += hits;
    }
    return [...byOrigin]
      .map(([key, hits]) => ({ origin: key, share: hits / Math.max(1, total) }))
      .sort((a, b) => b.share - a.share);
  };
}
