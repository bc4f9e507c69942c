import { type RouteId, routeList } from '../api/routes';
import type { FunctionDeployment, TableAction } from './capabilities';

const ARGON2 = '@node-rs/argon2';
const COMMON_PASSWORDS = '@zxcvbn-ts/language-common';

/** What checking an Item does to the table: read it, write it and its history, claim alerts. */
const ITEM_CHECK_ACTIONS: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * How each route's function is deployed (the HTTP contract is in `api/routes.ts`). A sensitive
 * route reads its session (`GetItem` on `SESSION#`) before the handler runs. A route that changes
 * a way into the account, or signs in, tells the user (`securityNotices`: the alert channels and
 * the notice ledger on `NOTICE#`, in a statement of its own). The CDK stack
 * grants each function exactly these capabilities, each function checks at cold start the
 * configuration they need, and the least-privilege tests hold the grants to what the code does.
 */
export const routeDeployments = {
  register: {
    capabilities: {
      table: { actions: ['dynamodb:PutItem'], partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#'] },
      signingKeys: 'read',
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  login: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'LOGIN#'],
      },
      signingKeys: 'read',
    },
    nodeModules: [ARGON2],
  },
  token: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        partitionKeys: ['USER#', 'SESSION#', 'AUTHCODE#', 'REVOKED#'],
      },
      signingKeys: 'read',
    },
  },
  logout: {
    capabilities: {
      table: {
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        partitionKeys: ['USER#', 'SESSION#', 'REVOKED#'],
      },
    },
  },
  reauth: {
    capabilities: {
      table: {
        actions: [
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'LOGIN#', 'SMSCODE#', 'IDTOKEN#'],
      },
      signingKeys: 'read',
      smsPepper: 'read',
      providers: 'verify',
    },
    nodeModules: [ARGON2],
  },
  me: {
    capabilities: {
      // Writes only once per address: when its pending subscription turns out confirmed.
      table: {
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
        partitionKeys: ['USER#'],
      },
      emailSubscriptions: 'read',
    },
  },
  listSessions: { capabilities: { table: { actions: ['dynamodb:Query'], partitionKeys: ['USER#'] } } },
  deleteSession: {
    capabilities: {
      table: {
        actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
        partitionKeys: ['USER#', 'SESSION#', 'REVOKED#'],
      },
    },
  },
  listEvents: { capabilities: { table: { actions: ['dynamodb:Query'], partitionKeys: ['USER#'] } } },
  smsSend: {
    capabilities: {
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        partitionKeys: ['SMSCODE#', 'SMSRATE#'],
      },
      smsPepper: 'read',
      sms: 'send',
    },
  },
  smsVerify: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'SMSCODE#', 'REVERIFY#'],
      },
      signingKeys: 'read',
      smsPepper: 'read',
    },
  },
  smsReverify: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'LOGIN#', 'REVERIFY#'],
      },
      signingKeys: 'read',
    },
    nodeModules: [ARGON2],
  },
  social: {
    capabilities: {
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        partitionKeys: ['USER#', 'IDENTITY#', 'AUTHCODE#', 'IDTOKEN#'],
      },
      providers: 'verify',
      appleKey: 'sign',
      tokenKey: 'encrypt',
    },
  },
  linkSocial: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'IDTOKEN#'],
      },
      providers: 'verify',
      appleKey: 'sign',
      tokenKey: 'encrypt',
    },
  },
  updateMe: {
    capabilities: {
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        partitionKeys: ['USER#', 'SESSION#'],
      },
      emailSubscriptions: 'manage',
    },
  },
  setPassword: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'LOGIN#', 'REVOKED#'],
      },
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  linkPhone: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SMSCODE#', 'SESSION#'],
      },
      smsPepper: 'read',
    },
  },
  changePhone: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SMSCODE#', 'SESSION#'],
      },
      smsPepper: 'read',
    },
  },
  unlinkIdentity: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:DeleteItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'REVOKED#'],
      },
    },
  },
  passwordReset: {
    capabilities: {
      securityNotices: 'send',
      // GetItem, Query and REVERIFY#: the dormant-account hold of SMS sign-in (recycled numbers).
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'SMSCODE#', 'REVOKED#', 'REVERIFY#'],
      },
      signingKeys: 'read',
      smsPepper: 'read',
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  passwordResetEmail: {
    capabilities: {
      // The username's owner, the user (and its pending email confirmation), the brakes, the link.
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
        partitionKeys: ['USER#', 'IDENTITY#', 'MAILRATE#'],
      },
      emailSubscriptions: 'read',
      alerts: 'publish',
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  passwordResetLink: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'REVOKED#'],
      },
      signingKeys: 'read',
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  deleteMe: {
    capabilities: {
      securityNotices: 'send',
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'REVOKED#'],
      },
      deletionQueue: 'send',
      emailSubscriptions: 'manage',
    },
  },
  // BatchGetItem: the user's Items, by the ids their guards list on the owner index.
  exportMe: {
    capabilities: {
      table: { actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'], partitionKeys: ['USER#', 'ITEM#'] },
    },
  },
  plaidLinkToken: {
    capabilities: { table: { actions: ['dynamodb:PutItem'], partitionKeys: ['LINKTOKEN#'] }, plaid: 'call' },
  },
  plaidLinkItem: {
    capabilities: {
      // Query and DeleteItem: replacing a broken Item carries its history and removes it.
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
        partitionKeys: ['ITEM#', 'USERINST#', 'LINKTOKEN#'],
      },
      plaid: 'call',
      // Encrypts the new Item's access token; decrypts the replaced one's to remove it at Plaid.
      tokenKey: 'both',
    },
  },
  plaidListItems: {
    // Query: the owner index (the guards' entries); BatchGetItem: the Items they name.
    capabilities: {
      table: { actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'], partitionKeys: ['ITEM#'] },
    },
  },
  plaidGetItem: { capabilities: { table: { actions: ['dynamodb:GetItem'], partitionKeys: ['ITEM#'] } } },
  plaidUpdateLinkToken: {
    capabilities: {
      table: { actions: ['dynamodb:GetItem'], partitionKeys: ['ITEM#'] },
      plaid: 'call',
      tokenKey: 'decrypt',
    },
  },
  plaidRepairItem: {
    capabilities: {
      // POLLER#: an operator fault met during a repair is counted by the poller's breaker.
      table: { actions: ITEM_CHECK_ACTIONS, partitionKeys: ['ITEM#', 'POLLER#'] },
      plaid: 'call',
      tokenKey: 'decrypt',
      alerts: 'publish',
    },
  },
  plaidItemEvents: {
    capabilities: { table: { actions: ['dynamodb:GetItem', 'dynamodb:Query'], partitionKeys: ['ITEM#'] } },
  },
  plaidRemoveItem: {
    capabilities: {
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
        partitionKeys: ['ITEM#', 'USERINST#'],
      },
      plaid: 'call',
      tokenKey: 'decrypt',
    },
  },
  /** Verifies (Plaid's key lookup) and queues: no table, no alerts; the webhook worker does the rest. */
  plaidWebhook: {
    capabilities: { plaid: 'call', webhookQueue: 'send' },
  },
  appleNotifications: {
    capabilities: {
      table: {
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:DeleteItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
        ],
        partitionKeys: ['USER#', 'IDENTITY#', 'SESSION#', 'REVOKED#'],
      },
      emailSubscriptions: 'manage',
    },
  },
  jwks: { capabilities: { publicKeys: 'read' } },
  openapi: { capabilities: {} },
} as const satisfies Record<RouteId, FunctionDeployment>;

/** The functions behind no route: the authorizer, the poller's two and the webhook worker. */
export const backgroundDeployments = {
  /**
   * Verifies access tokens with the public keys only (never the private secret), and refuses those of revoked sessions: reads
   * the revocation list (and nothing else of the table) at most once per container every 15 s.
   */
  authorizer: {
    handler: 'authorizer',
    capabilities: {
      publicKeys: 'read',
      table: { actions: ['dynamodb:BatchGetItem'], partitionKeys: ['REVOKED#'] },
    },
  },
  /** Reads the due-check index, and the breaker's pause (`POLLER#`). */
  pollerDispatch: {
    handler: 'poller-dispatch',
    capabilities: {
      tableIndex: 'gsi2',
      table: { actions: ['dynamodb:GetItem'], partitionKeys: ['POLLER#'] },
      checkQueue: 'send',
    },
  },
  /** Checks Items; counts operator faults and pauses the poller (`POLLER#`). */
  pollerWorker: {
    handler: 'poller-worker',
    capabilities: {
      table: { actions: ITEM_CHECK_ACTIONS, partitionKeys: ['ITEM#', 'POLLER#'] },
      plaid: 'call',
      tokenKey: 'decrypt',
      alerts: 'publish',
    },
  },
  /** Processes queued webhooks: confirms with Plaid, applies, alerts. */
  plaidWebhookWorker: {
    handler: 'plaid-webhook-worker',
    capabilities: {
      // POLLER#: an operator fault met confirming a webhook is counted by the poller's breaker.
      table: { actions: ITEM_CHECK_ACTIONS, partitionKeys: ['ITEM#', 'POLLER#'] },
      plaid: 'call',
      tokenKey: 'decrypt',
      alerts: 'publish',
    },
  },
  /**
   * Removes a deleted account's bank links at Plaid, revokes its Apple tokens and pseudonymises its
   * audit events (Query and PutItem on `USER#`), from the deletion queue.
   */
  accountDeletionWorker: {
    handler: 'account-deletion-worker',
    capabilities: {
      table: {
        actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        partitionKeys: ['USER#', 'ITEM#', 'USERINST#'],
      },
      plaid: 'call',
      tokenKey: 'decrypt',
      appleKey: 'sign',
      emailSubscriptions: 'manage',
    },
  },
} as const satisfies Record<string, FunctionDeployment & { handler: string }>;

export type BackgroundFunctionId = keyof typeof backgroundDeployments;

/** Every deployed function: a route's id or a background function's. */
export type FunctionId = RouteId | BackgroundFunctionId;

/** How function `id` is deployed. */
export function deploymentOf(id: FunctionId): FunctionDeployment {
  return id in routeDeployments
    ? routeDeployments[id as RouteId]
    : backgroundDeployments[id as BackgroundFunctionId];
}

/** Each route with how it is deployed: for the stack and the least-privilege tests. */
export const deployedRoutes = routeList.map((route) => ({
  ...route,
  ...(routeDeployments[route.id] as FunctionDeployment),
}));
