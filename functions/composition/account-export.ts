import { exportAccount } from '../domain/export-account';
import { audit, sessions, users } from './accounts';
import { plaidItems } from './bank-links';
import { currentRuntime } from './runtime';

/** `GET /v1/me/export`. */
export const exportAccountUseCase = () =>
  exportAccount({
    clock: currentRuntime().clock,
    users: users(),
    sessions: sessions(),
    audit: audit(),
    items: plaidItems(),
  });
