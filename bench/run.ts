/**
 * `npm run bench`: DynamoDB calls and in-process latency per request, handler bundle sizes and
 * fresh-process load times, checked against the targets in docs/benchmarks.md.
 *
 * Then the poller: full passes of the dispatcher and worker over Items seeded in DynamoDB Local
 * and the Plaid emulator, at several worker concurrencies (docs/benchmarks.md, "Poller").
 *
 * Options: `--runs=N` (measured calls per operation, default 100), `--load-runs=N` (fresh
 * processes per bundle, default 15), `--update-docs` (rewrite the results in docs/benchmarks.md),
 * `--skip-poller`, `--poller-only`, `--poller-items=N` (default 2000), `--poller-passes=N`
 * (measured passes per row, default 3), `--poller-workers=16,32,64`, `--poller-latency-ms=N`
 * (Plaid's answer time, default 50), `--poller-emulator=process|in-process`, `--poller-cpu-prof`.
 */

// Before anything creates an AWS SDK client or the logger: the static imports of a module run
// before its body, so everything else is imported dynamically below.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const { main } = await import('./main');
await main(process.argv.slice(2));

export {};
