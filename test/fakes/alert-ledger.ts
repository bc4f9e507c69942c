import type { LedgerStep } from '../../functions/domain/alert-policy';
import { ConflictError } from '../../functions/domain/errors';
import type { AlertKey, AlertLedger } from '../../functions/domain/ports/alert-ledger';
import { alertKey, InMemoryTable } from './in-memory-table';

/** {@link AlertLedger} in memory: a send is claimed once; a stale claim may be taken over. */
export class InMemoryAlertLedger implements AlertLedger {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async stepsOf(input: Parameters<AlertLedger['stepsOf']>[0]): Promise<LedgerStep[]> {
    const staleBefore = input.staleBefore.toISOString();
    return [...this.table.alertClaims.values()]
      .filter(
        (c) =>
          c.itemId === input.itemId &&
          c.episodeId === input.episodeId &&
          c.channel === input.channel &&
          (c.state === 'sent' || c.claimedAt > staleBefore),
      )
      .sort((a, b) => a.step.localeCompare(b.step))
      .map((c) => c.step as LedgerStep);
  }

  async claim(key: AlertKey, input: { claimId: string; now: Date; staleBefore: Date }): Promise<boolean> {
    const id = alertKey(key.itemId, key.episodeId, key.step, key.channel);
    const stored = this.table.alertClaims.get(id);
    if (
      stored !== undefined &&
      !(stored.state === 'claimed' && stored.claimedAt < input.staleBefore.toISOString())
    )
      return false;
    this.table.alertClaims.set(id, {
      ...key,
      state: 'claimed',
      claimId: input.claimId,
      claimedAt: input.now.toISOString(),
    });
    return true;
  }

  async complete(
    key: AlertKey,
    input: Parameters<AlertLedger['complete']>[1],
  ): Promise<'completed' | 'lost'> {
    const stored = this.table.alertClaims.get(alertKey(key.itemId, key.episodeId, key.step, key.channel));
    if (stored?.claimId !== input.claimId) return 'lost';
    const item = this.table.plaidItems.get(key.itemId);
    if (key.step === 'restored' && item === undefined) throw new ConflictError();
    stored.state = 'sent';
    stored.sentAt = input.event.at;
    this.table.appendItemEvent(key.itemId, input.event);
    if (key.step === 'restored' && item !== undefined) delete item.restoredEpisodeId;
    return 'completed';
  }

  async release(key: AlertKey, input: { claimId: string }): Promise<void> {
    const id = alertKey(key.itemId, key.episodeId, key.step, key.channel);
    if (this.table.alertClaims.get(id)?.claimId === input.claimId) this.table.alertClaims.delete(id);
  }
}
