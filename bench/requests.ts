import { randomUUID } from 'node:crypto';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import type { RouteDefinition } from '../functions/api/routes';
import type { HttpEvent, HttpResponse } from '../functions/http/types';

/**
 * Calls the handlers in-process with hand-built API Gateway (HTTP API, payload 2.0) events, the
 * same shape `local/api-server.ts` builds, and counts the DynamoDB commands each call sends.
 */

type HttpLambda = (event: HttpEvent, context: Context) => Promise<HttpResponse>;
type AuthorizerLambda = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<APIGatewaySimpleAuthorizerWithContextResult<Record<string, string | number>>>;

export interface Handlers {
  register: HttpLambda;
  login: HttpLambda;
  token: HttpLambda;
  authorizer: AuthorizerLambda;
  smsSend: HttpLambda;
  smsVerify: HttpLambda;
}

/** One measured call: DynamoDB commands sent and wall time. */
export interface Sample {
  calls: number;
  ms: number;
}

/** Counts commands sent through a client, by an `initialize` middleware (once per `send`, not per retry). */
export interface CallCounter {
  count: number;
}

const USER_AGENT = 'linkguard-bench/1.0';

function httpEvent(
  route: RouteDefinition,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): HttpEvent {
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'content-type': contentType, 'user-agent': USER_AGENT, host: 'localhost', ...headers },
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: USER_AGENT,
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function authorizerEvent(accessToken: string): APIGatewayRequestAuthorizerEventV2 {
  const base = httpEvent({ method: 'GET', path: '/v1/me' } as RouteDefinition, '', 'application/json');
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/$default/GET/v1/me',
    identitySource: [`Bearer ${accessToken}`],
    routeKey: base.routeKey,
    rawPath: base.rawPath,
    rawQueryString: '',
    cookies: [],
    headers: { authorization: `Bearer ${accessToken}`, 'user-agent': USER_AGENT },
    queryStringParameters: {},
    requestContext: base.requestContext,
    pathParameters: {},
    stageVariables: {},
  } as APIGatewayRequestAuthorizerEventV2;
}

/** What a successful sign-in hands back. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

function tokensOf(response: HttpResponse, what: string, expected: number): Tokens {
  if (response.statusCode !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${response.statusCode}: ${response.body ?? ''}`);
  }
  const body = JSON.parse(response.body ?? '{}') as { access_token?: string; refresh_token?: string };
  if (body.access_token === undefined || body.refresh_token === undefined) {
    throw new Error(`${what}: no tokens in ${response.body ?? ''}`);
  }
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

/** Throws unless `response` is the error answer `code` with `status`. */
function refused(response: HttpResponse, what: string, status: number, code: string): void {
  const body = JSON.parse(response.body ?? '{}') as { code?: string };
  if (response.statusCode !== status || body.code !== code) {
    throw new Error(
      `${what}: expected ${status} ${code}, got ${response.statusCode}: ${response.body ?? ''}`,
    );
  }
}

/** The benchmarked operations, each one call of a handler, checked for the expected answer. */
export function operations(
  handlers: Handlers,
  routes: {
    register: RouteDefinition;
    login: RouteDefinition;
    token: RouteDefinition;
    smsSend: RouteDefinition;
    smsVerify: RouteDefinition;
  },
) {
  const post = (handler: HttpLambda, route: RouteDefinition, name: string, body: string, type: string) =>
    handler(httpEvent(route, body, type), lambdaContext(name));
  const json = 'application/json';
  return {
    async register(username: string, password: string): Promise<Tokens> {
      const body = JSON.stringify({ username, password, displayName: 'Bench User' });
      return tokensOf(
        await post(handlers.register, routes.register, 'register', body, json),
        'register',
        201,
      );
    },
    async login(username: string, password: string): Promise<Tokens> {
      const body = JSON.stringify({ username, password });
      return tokensOf(await post(handlers.login, routes.login, 'login', body, json), 'login', 200);
    },
    async loginRefused(username: string, password: string): Promise<void> {
      const body = JSON.stringify({ username, password });
      const response = await post(handlers.login, routes.login, 'login', body, json);
      if (response.statusCode !== 401) {
        throw new Error(`bad login: expected 401, got ${response.statusCode}: ${response.body ?? ''}`);
      }
    },
    async smsSend(phone: string): Promise<void> {
      const body = JSON.stringify({ phone });
      const response = await post(handlers.smsSend, routes.smsSend, 'sms-send', body, json);
      if (response.statusCode !== 202) {
        throw new Error(`sms send: expected 202, got ${response.statusCode}: ${response.body ?? ''}`);
      }
    },
    /** Signs in with the right code; `isNewUser` must be what the caller expects. */
    async smsVerify(phone: string, code: string, isNewUser: boolean): Promise<Tokens> {
      const body = JSON.stringify({ phone, code });
      const response = await post(handlers.smsVerify, routes.smsVerify, 'sms-verify', body, json);
      const tokens = tokensOf(response, 'sms verify', 200);
      const answer = (JSON.parse(response.body ?? '{}') as { isNewUser?: boolean }).isNewUser;
      if (answer !== isNewUser) throw new Error(`sms verify: expected isNewUser ${isNewUser}, got ${answer}`);
      return tokens;
    },
    async smsVerifyRefused(phone: string, code: string): Promise<void> {
      const body = JSON.stringify({ phone, code });
      const response = await post(handlers.smsVerify, routes.smsVerify, 'sms-verify', body, json);
      refused(response, 'sms verify, wrong code', 401, 'INVALID_CODE');
    },
    async refresh(refreshToken: string): Promise<Tokens> {
      const body = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }).toString();
      const form = 'application/x-www-form-urlencoded';
      return tokensOf(await post(handlers.token, routes.token, 'oauth-token', body, form), 'refresh', 200);
    },
    /** The authorizer's verdict on a token that may belong to a revoked session. */
    async authorizerAccepts(accessToken: string): Promise<boolean> {
      const verdict = await handlers.authorizer(authorizerEvent(accessToken));
      return verdict.isAuthorized && verdict.context.userId !== undefined;
    },
    async authorize(accessToken: string): Promise<void> {
      const verdict = await handlers.authorizer(authorizerEvent(accessToken));
      if (!verdict.isAuthorized || verdict.context.userId === undefined) {
        throw new Error(`authorizer refused a fresh token: ${JSON.stringify(verdict)}`);
      }
    },
  };
}

/** Runs `fn`, counting DynamoDB commands and timing it. */
export async function sample<T>(counter: CallCounter, fn: () => Promise<T>): Promise<{ value: T } & Sample> {
  counter.count = 0;
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  return { value, calls: counter.count, ms };
}
