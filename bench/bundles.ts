import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Metafile } from 'esbuild';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** A handler to bundle: its name, entry file and the packages kept outside the bundle. */
export interface BundleTarget {
  name: string;
  entry: string;
  nodeModules: readonly string[];
}

export interface Bundle {
  /**
   * Set when the bundle does not build with the target's own `nodeModules`; it was then built
   * with `fallbackExternals` also left outside, so that it can still be measured.
   */
  buildError?: { message: string; fallbackExternals: readonly string[]; importChain: string };
  name: string;
  file: string;
  bytes: number;
  /** Bytes in the output per package (or `functions/` for our own code), largest first. */
  contents: { source: string; bytes: number }[];
}

/**
 * The Lambda functions' esbuild options, as `lib/constructs/service-function.ts` sets them on the
 * CDK `NodejsFunction` (Node.js 24 runtime, so target `node24`): ESM, minified, an external
 * source map without sources, every `@aws-sdk/*` package left to the Lambda runtime and the
 * route's `nodeModules` shipped beside the bundle. The functions run with
 * `NODE_OPTIONS=--enable-source-maps`, and so do the load-time probes.
 */
export const BUNDLING = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  mainFields: ['module', 'main'],
  sourcemap: true,
  sourcesContent: false,
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
} satisfies BuildOptions;

/** The function's `NODE_OPTIONS` in AWS (see `BUNDLING`). */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/**
 * Bundles each target into `outDir/<name>.mjs` and reports its size and what is in it. A target
 * that does not build is retried with `fallbackExternals` also external, and the error kept.
 */
export async function bundleAll(
  targets: readonly BundleTarget[],
  outDir: string,
  fallbackExternals: readonly string[],
): Promise<Bundle[]> {
  await mkdir(outDir, { recursive: true });
  const bundleOne = (target: BundleTarget, file: string, extra: readonly string[]) =>
    build({
      ...BUNDLING,
      entryPoints: [target.entry],
      outfile: file,
      external: ['@aws-sdk/*', ...target.nodeModules, ...extra],
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: ROOT,
    });
  return Promise.all(
    targets.map(async (target): Promise<Bundle> => {
      const file = resolve(outDir, `${target.name}.mjs`);
      let buildError: Bundle['buildError'];
      let result: Awaited<ReturnType<typeof bundleOne>>;
      try {
        result = await bundleOne(target, file, []);
      } catch (error) {
        const first = (error as { errors?: { text: string }[] }).errors?.[0];
        const extra = fallbackExternals.filter((m) => !target.nodeModules.includes(m));
        result = await bundleOne(target, file, extra);
        buildError = {
          message: first?.text ?? String(error),
          fallbackExternals: extra,
          importChain: importChain(result.metafile, relative(ROOT, target.entry), extra),
        };
      }
      await writeFile(resolve(outDir, `${target.name}.meta.json`), JSON.stringify(result.metafile));
      return {
        name: target.name,
        file,
        bytes: (await stat(file)).size,
        contents: contentsOf(result.metafile),
        ...(buildError === undefined ? {} : { buildError }),
      };
    }),
  );
}

/** How the entry reaches the first of `externals` it imports: `a.ts → b.ts → pkg`. */
function importChain(metafile: Metafile, entry: string, externals: readonly string[]): string {
  const parent = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external && externals.includes(imported.path)) {
        const chain = [imported.path];
        for (let at: string | undefined = file; at !== undefined && at !== ''; at = parent.get(at))
          chain.unshift(at);
        return chain.join(' → ');
      }
      if (!imported.external && !parent.has(imported.path)) {
        parent.set(imported.path, file);
        queue.push(imported.path);
      }
    }
  }
  return `${entry} → ?`;
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; our own files → `functions/`. */
function sourceOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return path.startsWith('bench/') ? 'bench/' : 'functions/';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? path);
}

function contentsOf(metafile: Metafile): Bundle['contents'] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const source = sourceOf(path);
      totals.set(source, (totals.get(source) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const PROBE = `const started = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - started));
`;

/**
 * Imports each bundle in a fresh `node` process `runs` times (after one unmeasured round, so
 * the file cache is warm) and returns the milliseconds `await import()` took, per bundle, in
 * round order: index `r` of every bundle's list is from the same round. Each round loads every
 * bundle once, in a new random order, so that drift in machine load hits all of them alike.
 */
export async function measureLoad(
  bundles: readonly Bundle[],
  runs: number,
  env: Record<string, string | undefined>,
  progress: (round: number) => void,
): Promise<Map<string, number[]>> {
  const probe = resolve(bundles[0] === undefined ? '.' : resolve(bundles[0].file, '..'), 'load-probe.mjs');
  await writeFile(probe, PROBE);
  const times = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  for (let round = 0; round <= runs; round++) {
    if (round > 0) progress(round);
    const order = shuffled(bundles);
    for (const bundle of order) {
      const { stdout } = await run(process.execPath, [probe, pathToFileURL(bundle.file).href], {
        env: { ...env, NODE_OPTIONS: LAMBDA_NODE_OPTIONS },
      });
      const ms = Number(stdout.trim());
      if (!Number.isFinite(ms)) throw new Error(`load probe for ${bundle.name} printed ${stdout}`);
      if (round > 0) times.get(bundle.name)?.push(ms);
    }
  }
  return times;
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
