/** Hashes and checks passwords (argon2id in production). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real `verify`, for unknown usernames. Always false. */
  verifyAgainstDummy(password: string): Promise<false>;
}

/** A list of passwords too common to allow. */
export interface CommonPasswordList {
  contains(password: string): Promise<boolean>;
}
