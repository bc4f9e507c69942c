import { ValidationFailedError } from '../../domain/errors';

/** A page cursor handed to clients: the base64url of the last sort key. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/** The sort key in a cursor, if it is one this API handed out for `prefix`; else 422. */
export function decodeCursor(cursor: string, prefix: string): string {
  const sortKey = /^[A-Za-z0-9_-]{1,400}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!sortKey.startsWith(prefix)) {
    throw new ValidationFailedError([{ path: 'cursor', message: 'Not a cursor this API handed out.' }]);
  }
  return sortKey;
}
