import type { AuditEvent, IdentityRecord, SessionRecord, UserRecord } from '../model';

/** The code a write consumes: deleted only if it is this one and not spent. */
export interface CodeToConsume {
  phone: string;
  codeId: string;
  maxAttempts: number;
}

/**
 * What a proven SMS code buys, each in one transaction with consuming the code: a session for
 * the phone's user, a new user, or the phone linked to the signed-in user. `code_gone` when the
 * code was used, replaced or spent meanwhile.
 */
export interface PhoneAccountStore {
  /** Consumes the code and starts a session for the phone's existing user. */
  signIn(
    input: CodeToConsume & { session: SessionRecord; event: AuditEvent },
  ): Promise<'signed_in' | 'code_gone'>;
  /**
   * Consumes the code and creates the user, the phone identity and a session. `phone_taken` when
   * another request linked the phone first (the code is then still unused).
   */
  createAccount(
    input: CodeToConsume & {
      user: UserRecord;
      identity: IdentityRecord;
      session: SessionRecord;
      event: AuditEvent;
    },
  ): Promise<'created' | 'code_gone' | 'phone_taken'>;
  /**
   * Consumes the code and links the phone to an existing user, replacing their old phone.
   * `phone_taken` when another account holds the phone, `type_taken` when (without `replaced`)
   * the user already has a phone, e.g. linked by a racing request.
   */
  linkPhone(
    input: CodeToConsume & {
      identity: IdentityRecord;
      replaced: IdentityRecord | undefined;
      event: AuditEvent;
    },
  ): Promise<'linked' | 'code_gone' | 'phone_taken' | 'type_taken'>;
}
