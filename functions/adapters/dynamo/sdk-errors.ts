import {
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ServiceUnavailableError } from '../../domain/errors';

/**
 * Throttling that outlasted the SDK's own retries becomes SERVICE_UNAVAILABLE (503); anything
 * else is returned as it is.
 */
export function translated(error: unknown): unknown {
  if (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof ThrottlingException ||
    error instanceof RequestLimitExceeded
  ) {
    return new ServiceUnavailableError(error);
  }
  return error;
}

/** Waits a little longer after each lost race, with jitter, so racers spread out. */
export function backOff(attempt: number): Promise<void> {
  const ms = 10 * 2 ** attempt * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An item from an error payload, which the document client leaves marshalled. */
export function plain(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (item === undefined) return undefined;
  return isMarshalled(item) ? unmarshall(item as never) : item;
}

const TYPE_DESCRIPTORS = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

function isMarshalled(item: Record<string, unknown>): boolean {
  return Object.values(item).every((value) => {
    if (typeof value !== 'object' || value === null) return false;
    const descriptors = Object.keys(value);
    return descriptors.length === 1 && TYPE_DESCRIPTORS.has(descriptors[0] as string);
  });
}
