import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const run = promisify(execFile);

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

async function sourcesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/**
 * dependency-cruiser cannot parse TypeScript 7 sources, so it cruises a JavaScript copy of
 * functions/ in which type-only imports are kept as imports: a type dependency is a dependency.
 */
async function javascriptCopy(into: string): Promise<void> {
  for (const file of await sourcesOf(join(ROOT, 'functions'))) {
    const source = (await readFile(file, 'utf8'))
      .replace(/^import type /gm, 'import ')
      .replace(/^export type (\{[^}]*\}\s*from)/gm, 'export $1');
    const { code } = await transform(source, {
      loader: 'ts',
      format: 'esm',
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    const target = join(into, relative(ROOT, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'));
}

async function cruise(dir: string, entries: string[] = ['functions']): Promise<Violation[]> {
  const { stdout } = await run(
    DEPCRUISE,
    [...entries, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const result = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  // A cruise that found nothing would pass every rule.
  expect(result.summary.totalCruised).toBeGreaterThan(entries.length);
  return result.summary.violations;
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}`;

let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'linkguard-architecture-'));
  await javascriptCopy(copy);
}, 60_000);
afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

describe('Architecture (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  it('keeps the layer rules of docs/architecture.md: no violation, no cycle', async () => {
    const violations = await cruise(copy);
    expect(violations.map(describeViolation)).toEqual([]);
  }, 60_000);

  it('fails on a wrong import: the domain reaching the composition, http reaching up, a cycle', async () => {
    // Prepare: three bad modules beside the real ones.
    const probes = {
      'functions/domain/probe.js': "import '../composition/runtime';\n",
      'functions/http/probe.js': "import '../composition/runtime';\n",
      'functions/domain/probe-a.js': "import './probe-b';\n",
      'functions/domain/probe-b.js': "import './probe-a';\n",
    };
    for (const [path, code] of Object.entries(probes)) await writeFile(join(copy, path), code);

    // Act
    const violations = (await cruise(copy, Object.keys(probes))).map(describeViolation);
    for (const path of Object.keys(probes)) await rm(join(copy, path));

    // Assess
    expect(violations).toEqual(
      expect.arrayContaining([
        'domain-is-pure: functions/domain/probe.js → functions/composition/runtime.js',
        'http-receives-what-it-needs: functions/http/probe.js → functions/composition/runtime.js',
        'no-circular: functions/domain/probe-a.js → functions/domain/probe-b.js',
      ]),
    );
  }, 60_000);

  it('reads process.env only in the composition root', async () => {
    const readers: string[] = [];
    for (const file of await sourcesOf(join(ROOT, 'functions'))) {
      const code = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (code.includes('process.env')) readers.push(relative(ROOT, file));
    }
    expect(readers).toEqual(['functions/composition/runtime.ts']);
  });
});
