import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../domain/errors';
import { revokedSessions } from './dynamo/entities/revoked-session';
import type { Table } from './dynamo/table';

/** Reads the whole revocation list as it is at `now`: session id → until (epoch seconds). */
export type RevocationListRead = (now: Date) => Promise<Map<string, number>>;

/**
 * The revocation list in the table: one BatchGetItem of every shard of every time bucket that
 * can still hold a live entry (24 keys for 15-minute access tokens), eventually consistent. A
 * read DynamoDB leaves partly unprocessed fails as a whole: a list with holes must not pass for
 * the list.
 *
 * @example
 * const read = dynamoRevocationList(table, config.revocationList.entrySeconds);
 * const revoked = await read(new Date());
 */
export function dynamoRevocationList(table: Table, entrySeconds: number): RevocationListRead {
  return async (now) => {
    const keys = revokedSessions.keysLiveAt(now, entrySeconds);
    const result = await table.send<BatchGetCommandOutput>(
      () => new BatchGetCommand({ RequestItems: { [table.name]: { Keys: keys } } }),
    );
    if ((result.UnprocessedKeys?.[table.name]?.Keys?.length ?? 0) > 0) {
      throw new ServiceUnavailableError(new Error('The revocation list was read only in part.'));
    }
    return revokedSessions.entriesOf(result.Responses?.[table.name] ?? [], now);
  };
}

/** What the container's copy of the list did on a check: for logs and tests. */
export type RevocationListRefresh = 'fresh' | 'read' | 'read_failed';

/**
 * The container's copy of the revocation list, read again at most every `refreshSeconds`
 * (never per request). A failed read keeps the last copy and is tried again by the next check
 * after `retrySeconds`: the list fails open (docs/security.md, "Revocation list", says why).
 * Time is the caller's `now`, so a controllable clock drives it.
 *
 * @example
 * const list = new RevocationListCache(read, { refreshSeconds: 15 });
 * if (await list.isRevoked(sessionId, now)) refuse();
 */
export class RevocationListCache {
  private entries = new Map<string, number>();
  /** When the copy was last read successfully (epoch ms); undefined before the first read. */
  private readAt: number | undefined;
  private attemptedAt: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly read: RevocationListRead,
    private readonly options: {
      refreshSeconds: number;
      retrySeconds?: number;
      onReadFailed?: (error: unknown) => void;
    },
  ) {}

  /** Whether `sessionId` is on the list at `now`, reading the list first when the copy is due. */
  async isRevoked(sessionId: string, now: Date): Promise<boolean> {
    await this.refresh(now);
    const until = this.entries.get(sessionId);
    return until !== undefined && until * 1000 > now.getTime();
  }

  /** Reads the list when the copy is older than the refresh interval (callers at once share the read). */
  async refresh(now: Date): Promise<RevocationListRefresh> {
    const at = now.getTime();
    const due = this.readAt === undefined || at - this.readAt >= this.options.refreshSeconds * 1000;
    const retryMs = (this.options.retrySeconds ?? 1) * 1000;
    const mayTry =
      this.attemptedAt === undefined || at - this.attemptedAt >= retryMs || at < this.attemptedAt;
    if (!due || (!mayTry && this.pending === undefined)) return 'fresh';
    this.pending ??= this.attempt(now).finally(() => {
      this.pending = undefined;
    });
    await this.pending;
    return this.readAt === at ? 'read' : 'read_failed';
  }

  private async attempt(now: Date): Promise<void> {
    this.attemptedAt = now.getTime();
    try {
      this.entries = await this.read(now);
      this.readAt = now.getTime();
    } catch (error) {
      this.options.onReadFailed?.(error);
    }
  }
}
