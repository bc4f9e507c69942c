/**
 * `npm run reset`: wipes every piece of local state (`.data/`: the `--persist` database, the Plaid
 * emulator's Items, the local signing keys, SMS pepper and token key). Refuses while `npm start`
 * runs, since DynamoDB Local holds its files open.
 */
import { runningStart, wipeLocalData } from './local-data';

const pid = runningStart();
if (pid !== undefined) {
  console.error(`npm start is running (process ${pid}): stop it first (Ctrl-C), then npm run reset.`);
  process.exit(1);
}
const removed = wipeLocalData();
console.log(
  removed.length === 0
    ? 'Nothing to reset: no local data yet.'
    : `Local data wiped (${removed.join(', ')}). The next npm start begins from an empty database.`,
);
