import { startPlaidEmulator } from '../local/emulators/plaid';

/**
 * The Plaid emulator in a process of its own, for the poller benchmark: Plaid is a remote
 * service, so its HTTP server, JSON and bookkeeping should not run on the poller's event loop.
 * Prints one JSON line (`{ url, environment }`) when listening; exits when stdin closes (the
 * bench ends or dies). Latency and rate limits are set through `POST /emulator/config`.
 */
const plaid = await startPlaidEmulator({ latencyMs: 0 });
process.stdout.write(`${JSON.stringify({ url: plaid.url, environment: plaid.environment() })}\n`);

const stop = () => {
  plaid.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
