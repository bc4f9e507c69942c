import type { LedgerStep } from '../../domain/alert-policy';
import type { AlertKey, AlertLedger } from '../../domain/ports/alert-ledger';
import { alertClaims } from './entities/alert-claim';
import { itemEvents } from './entities/item-event';
import { plaidItems } from './entities/plaid-item';
import { conditions } from './expression';
import type { Table } from './table';

/** Exactly-once alert bookkeeping in the Item's partition: a send is claimed before it is published. */
export class DynamoAlertLedger implements AlertLedger {
  constructor(private readonly table: Table) {}

  /** Pattern: an episode's claimed and sent alerts (Query, `ITEM#<id>`, sk begins_with `ALERT#<episode>#`). */
  async stepsOf(input: Parameters<AlertLedger['stepsOf']>[0]): Promise<LedgerStep[]> {
    const { items } = await this.table.query({
      key: alertClaims.ofEpisode(input.itemId, input.episodeId),
      consistent: true,
    });
    const staleBefore = input.staleBefore.toISOString();
    return items
      .filter((i) => i.channel === input.channel && (i.state === 'sent' || String(i.claimedAt) > staleBefore))
      .map((i) => i.step as LedgerStep);
  }

  /** Pattern: claim an alert (PutItem, `attribute_not_exists` or a stale claim). */
  async claim(key: AlertKey, input: { claimId: string; now: Date; staleBefore: Date }): Promise<boolean> {
    return this.table.put(alertClaims.toItem(key, input), alertClaims.claimable(input.staleBefore));
  }

  /** Pattern: complete an alert (TransactWriteItems: claim sent, event, and for `restored` clear the marker). */
  async complete(
    key: AlertKey,
    input: Parameters<AlertLedger['complete']>[1],
  ): Promise<'completed' | 'lost'> {
    let tx = this.table
      .transaction()
      .update(
        alertClaims.key(key),
        {
          expression: 'SET #state = :sent, sentAt = :at',
          names: { '#state': 'state' },
          values: { ':sent': 'sent', ':at': input.event.at },
        },
        { if: alertClaims.heldBy(input.claimId), name: 'claim' },
      )
      .put(itemEvents.toItem(key.itemId, input.event));
    if (key.step === 'restored') {
      tx = tx.update(
        plaidItems.key(key.itemId),
        { expression: 'REMOVE restoredEpisodeId' },
        { if: conditions.present },
      );
    }
    return (await tx.run()).ok ? 'completed' : 'lost';
  }

  /** Pattern: release a claim after a failed send (DeleteItem if `claimId = :ours`). */
  async release(key: AlertKey, input: { claimId: string }): Promise<void> {
    await this.table.delete(alertClaims.key(key), alertClaims.heldBy(input.claimId));
  }
}
