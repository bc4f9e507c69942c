/**
 * `npm run bench`: DynamoDB calls and in-process latency per request, handler bundle sizes and
 * fresh-process load times, checked against the targets in docs/benchmarks.md.
 *
 * Options: `--runs=N` (measured calls per operation, default 100), `--load-runs=N` (fresh
 * processes per bundle, default 15), `--update-docs` (rewrite the results in docs/benchmarks.md).
 */

// Before anything creates an AWS SDK client or the logger: the static imports of a module run
// before its body, so everything else is imported dynamically below.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const { main } = await import('./main');
await main(process.argv.slice(2));

export {};
