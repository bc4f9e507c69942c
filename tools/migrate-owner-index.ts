/**
 * Moves bank links linked before the owner index moved to the institution guard off that index
 * (see docs/access-patterns.md, "Moving the owner index"). Safe to run again and while the API
 * and the poller run; reads the Items through the next-check index, never a Scan.
 *
 *   npx tsx tools/migrate-owner-index.ts --table <name> [--region us-east-1] [--shards 16] [--dry-run]
 *   npx tsx tools/migrate-owner-index.ts --table linkguard-local --endpoint http://localhost:<port>
 *
 * AWS credentials come from the usual places (environment, profile, SSO); the caller needs
 * Query on gsi2 and GetItem, UpdateItem on the table.
 */
import { parseArgs } from 'node:util';
import { migrateOwnerIndex } from '../functions/adapters/dynamo/owner-index-migration';
import { createTable } from '../functions/adapters/dynamo/table';

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    endpoint: { type: 'string' },
    region: { type: 'string' },
    shards: { type: 'string', default: '16' },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (values.table === undefined) {
  console.error('--table <name> is required');
  process.exit(2);
}
const shards = Number(values.shards);
if (!Number.isInteger(shards) || shards < 1 || shards > 256) {
  console.error('--shards must be the deployment’s POLLER_SHARDS (1…256)');
  process.exit(2);
}
const table = createTable({
  name: values.table,
  ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
  ...(values.region === undefined ? {} : { region: values.region }),
});
const report = await migrateOwnerIndex(table, {
  shards,
  dryRun: values['dry-run'],
  log: (line) => console.log(line),
});
console.log(
  `${values['dry-run'] ? 'Dry run: ' : ''}${report.seen} Items, ${report.moved} ${values['dry-run'] ? 'to move' : 'moved'}, ${report.alreadyMoved} already off the owner index.`,
);
if (report.guardConflicts.length > 0)
  console.log(
    `Left on the owner index (their guard names another Item): ${report.guardConflicts.join(', ')}`,
  );
if (report.busy.length > 0) console.log(`Changed under every attempt, run again: ${report.busy.join(', ')}`);
table.client.destroy();
process.exit(report.guardConflicts.length + report.busy.length > 0 ? 1 : 0);
