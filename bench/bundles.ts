import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

const run = promisify(execFile);

/** A handler to bundle: its name, entry file and the packages kept outside the bundle. */
export interface BundleTarget {
  name: string;
  entry: string;
  nodeModules: readonly string[];
}

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  /** Bytes in the output per package (or `functions/` for our own code), largest first. */
  contents: { source: string; bytes: number }[];
}

/**
 * The Lambda functions' esbuild options (the CDK construct's `bundling`): ESM, minified, every
 * `@aws-sdk/*` package left to the Lambda runtime and `nodeModules` shipped beside the bundle.
 */
export const BUNDLING = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
} as const;

/** Bundles each target into `outDir/<name>.mjs` and reports its size and what is in it. */
export async function bundleAll(targets: readonly BundleTarget[], outDir: string): Promise<Bundle[]> {
  await mkdir(outDir, { recursive: true });
  return Promise.all(
    targets.map(async (target) => {
      const file = resolve(outDir, `${target.name}.mjs`);
      const result = await build({
        ...BUNDLING,
        entryPoints: [target.entry],
        outfile: file,
        external: ['@aws-sdk/*', ...target.nodeModules],
        metafile: true,
        logLevel: 'error',
      });
      await writeFile(resolve(outDir, `${target.name}.meta.json`), JSON.stringify(result.metafile));
      return {
        name: target.name,
        file,
        bytes: (await stat(file)).size,
        contents: contentsOf(result.metafile),
      };
    }),
  );
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
 * the file cache is warm) and returns the milliseconds `await import()` took, per bundle.
 * Rounds interleave the bundles so that drift in machine load hits all of them alike.
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
    for (const bundle of bundles) {
      const { stdout } = await run(process.execPath, [probe, pathToFileURL(bundle.file).href], { env });
      const ms = Number(stdout.trim());
      if (!Number.isFinite(ms)) throw new Error(`load probe for ${bundle.name} printed ${stdout}`);
      if (round > 0) times.get(bundle.name)?.push(ms);
    }
  }
  return times;
}
