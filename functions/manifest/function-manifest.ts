import { type RouteId, routeList } from '../api/routes';
import type { FunctionDeployment, TableAction } from './capabilities';

const ARGON2 = '@node-rs/argon2';
const COMMON_PASSWORDS = '@zxcvbn-ts/language-common';
const PLAID = 'plaid';

/** What checking an Item does to the table: read it, write it and its history, claim alerts. */
const ITEM_CHECK_ACTIONS: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * How each route's function is deployed (the HTTP contract is in `api/routes.ts`). The CDK stack
 * grants each function exactly these capabilities, each function checks at cold start the
 * configuration they need, and the least-privilege tests hold the grants to what the code does.
 */
export const routeDeployments = {
  register: {
    capabilities: { table: ['dynamodb:PutItem'], signingKeys: 'read' },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  login: {
    capabilities: {
      table: [
        'dynamodb:BatchGetItem',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      signingKeys: 'read',
    },
    nodeModules: [ARGON2],
  },
  token: {
    capabilities: {
      table: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      signingKeys: 'read',
    },
  },
  logout: { capabilities: { table: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'] } },
  me: { capabilities: { table: ['dynamodb:Query'] } },
  listSessions: { capabilities: { table: ['dynamodb:Query'] } },
  deleteSession: { capabilities: { table: ['dynamodb:UpdateItem', 'dynamodb:PutItem'] } },
  listEvents: { capabilities: { table: ['dynamodb:Query'] } },
  smsSend: {
    capabilities: {
      table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      smsPepper: 'read',
      sms: 'send',
    },
  },
  smsVerify: {
    capabilities: {
      table: [
        'dynamodb:BatchGetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ],
      signingKeys: 'read',
      smsPepper: 'read',
    },
  },
  social: { capabilities: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], providers: 'verify' } },
  linkSocial: {
    capabilities: {
      table: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ],
      providers: 'verify',
    },
  },
  updateMe: {
    capabilities: {
      table: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      emailSubscriptions: 'manage',
    },
  },
  setPassword: {
    capabilities: {
      table: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    },
    nodeModules: [ARGON2, COMMON_PASSWORDS],
  },
  linkPhone: {
    capabilities: {
      table: [
        'dynamodb:BatchGetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ],
      smsPepper: 'read',
    },
  },
  unlinkIdentity: {
    capabilities: {
      table: ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    },
  },
  plaidLinkToken: { capabilities: { plaid: 'call' }, nodeModules: [PLAID] },
  plaidLinkItem: {
    capabilities: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], plaid: 'call', tokenKey: 'encrypt' },
    nodeModules: [PLAID],
  },
  plaidListItems: { capabilities: { table: ['dynamodb:Query'] } },
  plaidGetItem: { capabilities: { table: ['dynamodb:GetItem'] } },
  plaidUpdateLinkToken: {
    capabilities: { table: ['dynamodb:GetItem'], plaid: 'call', tokenKey: 'decrypt' },
    nodeModules: [PLAID],
  },
  plaidRepairItem: {
    capabilities: { table: ITEM_CHECK_ACTIONS, plaid: 'call', tokenKey: 'decrypt', alerts: 'publish' },
    nodeModules: [PLAID],
  },
  plaidItemEvents: { capabilities: { table: ['dynamodb:GetItem', 'dynamodb:Query'] } },
  plaidRemoveItem: {
    capabilities: {
      table: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
      plaid: 'call',
      tokenKey: 'decrypt',
    },
    nodeModules: [PLAID],
  },
  plaidWebhook: {
    capabilities: { table: ITEM_CHECK_ACTIONS, plaid: 'call', alerts: 'publish' },
    nodeModules: [PLAID],
  },
  jwks: { capabilities: { signingKeys: 'read' } },
  openapi: { capabilities: {} },
} as const satisfies Record<RouteId, FunctionDeployment>;

/** The functions behind no route: the authorizer and the poller's two. */
export const backgroundDeployments = {
  /** Verifies access tokens with the public keys only: no table. */
  authorizer: { handler: 'authorizer', capabilities: { signingKeys: 'read' } },
  pollerDispatch: {
    handler: 'poller-dispatch',
    capabilities: { tableIndex: 'gsi2', checkQueue: 'send' },
  },
  pollerWorker: {
    handler: 'poller-worker',
    capabilities: { table: ITEM_CHECK_ACTIONS, plaid: 'call', tokenKey: 'decrypt', alerts: 'publish' },
    nodeModules: [PLAID],
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
