import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { routeList } from '../functions/api/routes';
import { deploymentOf } from '../functions/manifest/function-manifest';
import { localEnvironment } from '../local/environment';
import { BUNDLING, type Bundle, bundleAll, measureLoad } from './bundles';
import type { ColdSample } from './measure-cold';
import { type EmulatorMode, measurePoller } from './measure-poller';
import { measureRequests, type OperationResult, type RevocationResult } from './measure-requests';
import { buildPollerReport, POLLER_LATENCY_MS } from './poller-report';
import { fixed, markdownTable, max, mean, median, percentile, textTable, verdict } from './stats';

/** What a function ships beside its bundle, from the deployment manifest. */
const nodeModulesOf = (id: Parameters<typeof deploymentOf>[0]): readonly string[] =>
  deploymentOf(id).nodeModules ?? [];

const ROOT = resolve(import.meta.dirname, '..');
const OUT_DIR = resolve(ROOT, '.bench');
const DOCS = resolve(ROOT, 'docs', 'benchmarks.md');
const TABLE_NAME = 'linkguard-bench';

/** Targets (docs/benchmarks.md explains each). */
const TARGETS = { maxBundleKb: 320, maxLoadRatio: 1.3, maxColdRatio: 1.5, maxRevokedSeconds: 30 } as const;

/** The commit measured, and whether the working tree differed from it. */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'functions', 'bench', 'package-lock.json') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

/** A comma-separated list of positive whole numbers, e.g. `--poller-workers=16,32`. */
function listOption(args: readonly string[], name: string, fallback: number[]): number[] {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (raw === undefined) return fallback;
  const values = raw.split(',').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`--${name} must be positive whole numbers, comma-separated`);
  return values;
}

function emulatorOption(args: readonly string[]): EmulatorMode {
  const raw = args.find((a) => a.startsWith('--poller-emulator='))?.split('=')[1] ?? 'process';
  if (raw !== 'process' && raw !== 'in-process')
    throw new Error('--poller-emulator must be process or in-process');
  return raw;
}

/** Plaid's answer time in the poller passes: `--poller-latency-ms=N` (0 shows the machinery's own ceiling). */
function latencyOption(args: readonly string[]): number {
  const raw = args.find((a) => a.startsWith('--poller-latency-ms='))?.split('=')[1];
  const value = raw === undefined ? POLLER_LATENCY_MS : Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error('--poller-latency-ms must be a whole number ≥ 0');
  return value;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const log = (line: string) => console.log(`  … ${line}`);

export async function main(args: readonly string[]): Promise<void> {
  const pollerOnly = args.includes('--poller-only');
  const skipPoller = args.includes('--skip-poller');
  if (pollerOnly && skipPoller) throw new Error('--poller-only and --skip-poller exclude each other');
  const runs = option(args, 'runs', 100);
  const loadRuns = option(args, 'load-runs', 15);
  const coldRuns = option(args, 'cold-runs', 3);
  const poller = {
    items: option(args, 'poller-items', 2000),
    passes: option(args, 'poller-passes', 3),
    workers: listOption(args, 'poller-workers', [16, 32, 64]),
    emulator: emulatorOption(args),
    latencyMs: latencyOption(args),
  };
  const started = Date.now();
  const cpu = cpus();
  const environment = [
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    codeVersion(),
    `Node ${process.version}`,
    `${platform()} ${arch()}`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
  ];
  const requestSettings = [
    `esbuild ${esbuildVersion} (target ${BUNDLING.target})`,
    `${runs} measured calls per operation, ${loadRuns} fresh processes per bundle, ${coldRuns} cold first requests per function`,
  ];
  const pollerSettings = [
    `${poller.items} Items, ${poller.passes} measured passes (+1 warm-up) per row`,
    `Plaid emulator ${poller.emulator === 'process' ? 'in its own process' : 'in the bench process'}, ${poller.latencyMs} ms per call`,
  ];
  // Other work on the machine skews every timing; the load average says how busy it was.
  const busy = () =>
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`;
  console.log(
    `LinkGuard benchmark\n${[
      ...environment,
      ...(pollerOnly ? [] : requestSettings),
      ...(skipPoller ? [] : pollerSettings),
    ].join(' · ')}\n`,
  );

  const keysDir = await mkdtemp(join(tmpdir(), 'linkguard-bench-'));
  try {
    const env = {
      ...localEnvironment({ dynamodbEndpoint: 'http://127.0.0.1:8000', tableName: TABLE_NAME, port: 3000 }),
      SIGNING_KEYS_FILE: join(keysDir, 'signing-keys.json'),
      SMS_PEPPER_FILE: join(keysDir, 'sms-pepper'),
      TOKEN_KEY_FILE: join(keysDir, 'token-key'),
      // Every SMS send comes from one source IP; the per-IP and daily limits are not what is measured.
      SMS_PER_IP_HOURLY: '10000',
      SMS_DAILY_CAP: '10000000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const blocks: { start: string; end: string; markdown: string }[] = [];
    const failures: string[] = [];

    if (!pollerOnly) {
      const loadBefore = busy();
      // Bundles and load times first, while no DynamoDB Local competes for the CPU.
      console.log('Bundling the handlers as the CDK construct does…');
      const targets = [
        ...routeList.map((r) => ({
          name: r.handler,
          entry: resolve(ROOT, 'functions/handlers', `${r.handler}.ts`),
          nodeModules: nodeModulesOf(r.id),
        })),
        { name: 'authorizer', entry: resolve(ROOT, 'functions/handlers/authorizer.ts'), nodeModules: [] },
        { name: 'bare', entry: resolve(ROOT, 'bench/bare-handler.ts'), nodeModules: [] },
      ];
      // What a handler that does not build as configured is retried with: every route's nodeModules.
      const allNodeModules = [...new Set(routeList.flatMap((r) => nodeModulesOf(r.id)))];
      const bundles = await bundleAll(targets, OUT_DIR, allNodeModules);
      for (const b of bundles.filter((x) => x.buildError !== undefined)) {
        console.log(`  ✘ ${b.name} does not build with its route's nodeModules: ${b.buildError?.message}`);
        console.log(`    via ${b.buildError?.importChain}`);
        console.log(`    measured instead with ${b.buildError?.fallbackExternals.join(', ')} also external`);
      }
      console.log(`Fresh-process load times (${bundles.length} bundles × ${loadRuns} + 1 warm-up round)…`);
      // A clean environment, like Lambda's: in particular no tsx loader inherited through NODE_OPTIONS.
      const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
      const loads = await measureLoad(bundles, loadRuns, childEnv, (round) => {
        if (round % 5 === 0 || round === loadRuns) log(`load round ${round}/${loadRuns}`);
      });

      console.log(
        `\nCold first requests (${bundles.length} functions × ${coldRuns} + 1 warm-up round, each a fresh process)…`,
      );
      const cold = await measureCold(bundles, coldRuns);

      console.log('\nIn-process requests against DynamoDB Local…');
      const { operations, revocation } = await measureRequests({ runs, env, tableName: TABLE_NAME, log });

      const report = buildReport(operations, bundles, loads, cold, revocation);
      console.log(`\n${report.text}\n`);
      const machine = `${[...environment, ...requestSettings].join(' · ')} · ${loadBefore} before, ${busy()} after`;
      console.log(machine);
      blocks.push({ start: START, end: END, markdown: `_${machine}_\n\n${report.markdown}\n` });
      failures.push(...report.failures);
    }

    if (!skipPoller) {
      const loadBefore = busy();
      console.log('\nPoller passes against DynamoDB Local and the Plaid emulator…');
      await mkdir(OUT_DIR, { recursive: true });
      const result = await measurePoller({
        items: poller.items,
        passes: poller.passes,
        workers: poller.workers,
        latencyMs: poller.latencyMs,
        emulatorMode: poller.emulator,
        ...(args.includes('--poller-cpu-prof') ? { profile: resolve(OUT_DIR, 'poller.cpuprofile') } : {}),
        env,
        tableName: `${TABLE_NAME}-poller`,
        log,
      });
      const report = buildPollerReport(result);
      console.log(`\n${report.text}\n`);
      const machine = `${[...environment, ...pollerSettings].join(' · ')} · ${loadBefore} before, ${busy()} after`;
      console.log(machine);
      blocks.push({
        start: POLLER_START,
        end: POLLER_END,
        markdown: `_${machine}_\n\n${report.markdown}\n`,
      });
      failures.push(...report.failures);
    }

    await mkdir(OUT_DIR, { recursive: true });
    await writeFile(resolve(OUT_DIR, 'results.md'), blocks.map((b) => b.markdown).join('\n'));
    console.log(`Markdown written to .bench/results.md (${((Date.now() - started) / 1000).toFixed(0)} s).`);
    if (args.includes('--update-docs')) await updateDocs(blocks);
    if (failures.length > 0) console.log(`\n${failures.map((f) => `FAIL: ${f}`).join('\n')}`);
    else console.log('\nAll targets PASS.');
  } finally {
    await rm(keysDir, { recursive: true, force: true });
  }
}

/**
 * Runs `bench/measure-cold.ts` in a process of its own (it configures the functions' runtime
 * for its local API, which this process configures for the in-process requests).
 */
async function measureCold(bundles: readonly Bundle[], runs: number): Promise<Map<string, ColdSample[]>> {
  const out = resolve(OUT_DIR, 'cold.json');
  const child = execFile(
    process.execPath,
    [
      ...process.execArgv,
      resolve(import.meta.dirname, 'measure-cold.ts'),
      `--bundles=${OUT_DIR}`,
      `--runs=${runs}`,
      `--names=${bundles.map((b) => b.name).join(',')}`,
      `--out=${out}`,
    ],
    { env: process.env, maxBuffer: 64 * 1024 * 1024 },
  );
  child.stdout?.pipe(process.stdout);
  child.stderr?.pipe(process.stderr);
  await new Promise<void>((done, fail) =>
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`measure-cold exited ${code}`)))),
  );
  return new Map(Object.entries(JSON.parse(await readFile(out, 'utf8')) as Record<string, ColdSample[]>));
}

function buildReport(
  operations: readonly OperationResult[],
  bundles: readonly Bundle[],
  loads: Map<string, number[]>,
  cold: Map<string, ColdSample[]>,
  revocation: RevocationResult,
): { text: string; markdown: string; failures: string[] } {
  const failures: string[] = [];

  const revocationHeader = ['Measure', 'Runs', 'p50 s', 'p95 s', 'max s', 'Target', 'Result'];
  const revocationOk = max(revocation.seconds) <= TARGETS.maxRevokedSeconds;
  if (!revocationOk)
    failures.push(
      `a revoked session's token was accepted ${max(revocation.seconds)} s after the revocation (target ≤ ${TARGETS.maxRevokedSeconds} s)`,
    );
  const revocationRows = [
    [
      'revoke → refused (s)',
      String(revocation.seconds.length),
      fixed(percentile(revocation.seconds, 50), 2),
      fixed(percentile(revocation.seconds, 95), 2),
      fixed(max(revocation.seconds), 2),
      `≤ ${TARGETS.maxRevokedSeconds} s`,
      verdict(revocationOk),
    ],
  ];
  const revocationNote = `Revoke → refused: seconds on the runtime's clock from a sign-out to the authorizer's first refusal of the session's access token, the revocation at a random point of the container's 15-s list interval; the authorizer sent ${revocation.authorizerCalls} table calls in ${revocation.authorizerRequests} requests (one list read per interval, none per request).`;

  const opHeader = [
    'Operation',
    'Runs',
    'DDB calls max',
    'DDB calls mean',
    'p50 ms',
    'p95 ms',
    'Target',
    'Result',
  ];
  const opRows = operations.map((op) => {
    const calls = op.samples.map((s) => s.calls);
    const ms = op.samples.map((s) => s.ms);
    const ok = op.maxCalls === undefined ? undefined : max(calls) <= op.maxCalls;
    if (ok === false)
      failures.push(`${op.name} sends up to ${max(calls)} DynamoDB calls (target ≤ ${op.maxCalls})`);
    return [
      op.name,
      String(op.samples.length),
      String(max(calls)),
      fixed(mean(calls), 2),
      fixed(percentile(ms, 50)),
      fixed(percentile(ms, 95)),
      op.maxCalls === undefined ? '–' : op.maxCalls === 0 ? '= 0 calls' : `≤ ${op.maxCalls} calls`,
      verdict(ok),
    ];
  });

  // Each round's load time over the bare handler's in the same round, then the median: pairing
  // cancels most of what other work on the machine does to both.
  const bareTimes = loads.get('bare') ?? [];
  const pairedRatio = (times: readonly number[]) =>
    median(times.map((ms, round) => ms / (bareTimes[round] ?? Number.NaN)));
  // The same pairing for the cold first requests: each round's time over the bare handler's.
  const bareCold = (cold.get('bare') ?? []).map((s) => s.firstRequestMs);
  const pairedColdRatio = (samples: readonly ColdSample[]) =>
    median(samples.map((s, round) => s.firstRequestMs / (bareCold[round] ?? Number.NaN)));
  const bundleHeader = [
    'Function',
    'Bundle KB',
    'Size',
    'Load ms (median)',
    '× bare',
    'Load',
    'Cold 1st request ms (median)',
    '× bare',
    'Cold',
    'Largest bundled',
  ];
  const bundleRows = bundles.map((b) => {
    const kb = b.bytes / 1024;
    const loadMs = median(loads.get(b.name) ?? []);
    const ratio = pairedRatio(loads.get(b.name) ?? []);
    const isBare = b.name === 'bare';
    const sizeOk = kb <= TARGETS.maxBundleKb && b.buildError === undefined;
    const loadOk = isBare ? undefined : ratio <= TARGETS.maxLoadRatio;
    if (!sizeOk && b.buildError === undefined)
      failures.push(`${b.name} bundle is ${fixed(kb)} KB (target ≤ ${TARGETS.maxBundleKb} KB)`);
    if (loadOk === false)
      failures.push(
        `${b.name} loads in ${fixed(ratio, 2)}× the bare handler's time (target ≤ ${TARGETS.maxLoadRatio}×)`,
      );
    const coldSamples = cold.get(b.name) ?? [];
    const coldMs = median(coldSamples.map((s) => s.firstRequestMs));
    const coldRatio = pairedColdRatio(coldSamples);
    const coldOk = isBare || coldSamples.length === 0 ? undefined : coldRatio <= TARGETS.maxColdRatio;
    if (coldOk === false)
      failures.push(
        `${b.name} serves its cold first request in ${fixed(coldRatio, 2)}× the bare handler's time (target ≤ ${TARGETS.maxColdRatio}×)`,
      );
    const largest = b.contents
      .slice(0, 3)
      .map((c) => `${c.source} ${fixed(c.bytes / 1024)}`)
      .join(', ');
    return [
      isBare ? 'bare (baseline)' : b.name,
      b.buildError === undefined ? fixed(kb) : `${fixed(kb)}*`,
      b.buildError === undefined ? verdict(sizeOk) : 'FAIL (build)',
      fixed(loadMs),
      fixed(ratio, 2),
      verdict(loadOk),
      coldSamples.length === 0 ? '–' : fixed(coldMs),
      coldSamples.length === 0 ? '–' : fixed(coldRatio, 2),
      verdict(coldOk),
      largest,
    ];
  });

  // Build failures grouped by cause: the error and the import chain after the handler's own file.
  const causes = new Map<string, { names: string[]; externals: Set<string> }>();
  for (const b of bundles) {
    if (b.buildError === undefined) continue;
    const via = b.buildError.importChain.split(' → ').slice(1).join(' → ');
    const key = `${b.buildError.message}, reached via ${via}`;
    const cause = causes.get(key) ?? { names: [], externals: new Set<string>() };
    cause.names.push(b.name);
    for (const m of b.buildError.fallbackExternals) cause.externals.add(m);
    causes.set(key, cause);
  }
  for (const [key, cause] of causes)
    failures.push(`${cause.names.join(', ')} do not bundle with their routes' nodeModules: ${key}`);
  const notes = [
    `Targets: bundle ≤ ${TARGETS.maxBundleKb} KB; load ≤ ${TARGETS.maxLoadRatio}× the bare handler's; cold first request (load + one real request against DynamoDB Local and the emulators, in a fresh process) ≤ ${TARGETS.maxColdRatio}× the bare handler's (load + one GetItem).`,
    ...[...causes].map(
      ([key, cause]) =>
        `* ${cause.names.join(', ')}: does not build with the route's nodeModules: ${key}. ` +
        `Size and load measured with ${[...cause.externals].join(', ')} also external.`,
    ),
  ];
  return {
    text: [
      'Per request (in-process, DynamoDB Local)',
      textTable(opHeader, opRows),
      '',
      'Revocation (in-process, DynamoDB Local, controllable clock)',
      textTable(revocationHeader, revocationRows),
      revocationNote,
      '',
      'Per function (esbuild bundle, fresh node process)',
      textTable(bundleHeader, bundleRows),
      ...notes,
    ].join('\n'),
    markdown: [
      '#### Per request (in-process, DynamoDB Local)',
      '',
      markdownTable(opHeader, opRows),
      '',
      '#### Revocation (in-process, DynamoDB Local, controllable clock)',
      '',
      markdownTable(revocationHeader, revocationRows),
      '',
      revocationNote,
      '',
      '#### Per function (esbuild bundle, fresh `node` process)',
      '',
      markdownTable(bundleHeader, bundleRows),
      '',
      notes.map((n) => n.replace(/^\* /, '\\* ')).join('\n\n'),
      '',
      '"Largest bundled": KB of minified output per package (`functions/` is our own code).',
    ].join('\n'),
    failures,
  };
}

const START = '<!-- bench-results:start -->';
const END = '<!-- bench-results:end -->';
const POLLER_START = '<!-- bench-poller:start -->';
const POLLER_END = '<!-- bench-poller:end -->';

/** Replaces the results between each block's markers in docs/benchmarks.md. */
async function updateDocs(
  blocks: readonly { start: string; end: string; markdown: string }[],
): Promise<void> {
  let doc = await readFile(DOCS, 'utf8');
  for (const block of blocks) {
    const from = doc.indexOf(block.start);
    const to = doc.indexOf(block.end);
    if (from < 0 || to < from)
      throw new Error(`docs/benchmarks.md has no ${block.start} … ${block.end} block`);
    doc = `${doc.slice(0, from + block.start.length)}\n${block.markdown}${doc.slice(to)}`;
  }
  await writeFile(DOCS, doc);
  console.log('docs/benchmarks.md updated.');
}
