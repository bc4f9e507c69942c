import type { GsiName } from '../adapters/dynamo/table-definition';

/** A DynamoDB action a function is granted on the table (and its indexes, for Query). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

/**
 * The partition-key prefix of each kind of record (the keys themselves are built in the entity
 * modules of `adapters/dynamo/entities/` only): what `dynamodb:LeadingKeys` can limit a function to.
 */
export type PartitionKeyPrefix =
  | 'USER#'
  | 'IDENTITY#'
  | 'SESSION#'
  | 'LOGIN#'
  | 'SMSCODE#'
  | 'SMSRATE#'
  | 'AUTHCODE#'
  | 'ITEM#'
  | 'USERINST#'
  | 'POLLER#'
  | 'LINKTOKEN#'
  | 'REVERIFY#'
  | 'REVOKED#'
  | 'IDTOKEN#'
  | 'NOTICE#'
  | 'MAILRATE#';

/** What a function does to the table. */
export interface TableAccess {
  /** Exactly the actions it performs; Query also reaches every index. */
  actions: readonly TableAction[];
  /**
   * The partition keys its actions on the table are limited to (`dynamodb:LeadingKeys`), so that,
   * for example, the SMS function cannot read a bank link. Queries on an index cannot be limited
   * this way (the condition key is the table's partition key, which an index query does not
   * name), so Query on the indexes stays unconditioned.
   */
  partitionKeys: readonly PartitionKeyPrefix[];
}

/**
 * What a function may use of the world. Each capability is one IAM grant plus the environment
 * it needs (set together by `lib/constructs/capability-grants.ts`), one section of the
 * configuration checked at cold start, and the adapters the composition builds for it. A
 * function has exactly the capabilities its manifest entry lists.
 */
export interface Capabilities {
  /** The table: its actions, limited to some partition keys. */
  table?: TableAccess;
  /** Query on one index and nothing else of the table (the poller's dispatcher). */
  tableIndex?: GsiName;
  /** Reads the private signing keys: issues access tokens. Token issuers only. */
  signingKeys?: 'read';
  /**
   * Has the public keys (the published JWKS, in its environment): verifies access tokens or
   * serves the JWKS. No secret, no SDK client.
   */
  publicKeys?: 'read';
  /** Reads the SMS-code pepper secret. */
  smsPepper?: 'read';
  /** Texts phones (SNS `Publish` to phone numbers, never to a topic). */
  sms?: 'send';
  /** Verifies third-party sign-ins, reading WeChat's AppSecret when WeChat is set up. */
  providers?: 'verify';
  /**
   * Signs Sign in with Apple client secrets with our Apple key (reads its secret) to call Apple's
   * `/auth/token` and `/auth/revoke`.
   */
  appleKey?: 'sign';
  /** Calls Plaid (reads its secret). */
  plaid?: 'call';
  /** What the function does with the key that wraps Plaid access tokens. */
  tokenKey?: 'encrypt' | 'decrypt' | 'both';
  /** Sends alerts: texts and the alert topic. */
  alerts?: 'publish';
  /**
   * Sends security notices (`composition/security-notices.ts`): texts and the alert topic, as
   * `alerts`, plus the exactly-once ledger — `PutItem`, `UpdateItem`, `DeleteItem` on `NOTICE#`
   * only, in a statement of its own, so a function that reports a change to its user gains no
   * write on its other partition keys.
   */
  securityNotices?: 'send';
  /**
   * `manage`: subscribes e-mail addresses to the alert topic and removes them; `read`: reads
   * whether a subscription was confirmed.
   */
  emailSubscriptions?: 'manage' | 'read';
  /** Puts Items due for a check on the check queue. */
  checkQueue?: 'send';
  /** Puts verified Plaid webhooks on the webhook queue (SQS FIFO). */
  webhookQueue?: 'send';
  /** Puts a deleted account's remaining work (Plaid, Apple) on the deletion queue. */
  deletionQueue?: 'send';
}

/** How one function is deployed: its capabilities and how it is bundled. */
export interface FunctionDeployment {
  capabilities: Capabilities;
  /**
   * Packages shipped in the function's `node_modules` instead of bundled: native modules esbuild
   * cannot bundle, and large data loaded only on first use.
   */
  nodeModules?: readonly string[];
}

/** What `securityNotices` grants on the table: the notice ledger's claim, completion and release. */
export const SECURITY_NOTICE_LEDGER = {
  actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  partitionKeys: ['NOTICE#'],
} as const satisfies TableAccess;

/** Whether a function texts phones and publishes to the alert topic: its alerts or its security notices. */
export const publishesAlerts = (capabilities: Capabilities): boolean =>
  capabilities.alerts === 'publish' || capabilities.securityNotices === 'send';
