import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { type RouteDefinition, routeList } from '../functions/api/routes';
import { corsOrigins } from '../functions/composition/runtime';
import type { PublicErrorCode } from '../functions/domain/errors';
import { allowedOrigin, CORS_POLICY } from '../functions/http/cors-policy';
import { problem } from '../functions/http/problem';
import type { HttpEvent, HttpResponse } from '../functions/http/types';
import { asFunction } from './function-scope';

/** A route only the local runtime serves (`/_local/...`), never deployed. */
export interface LocalRoute {
  method: string;
  /** An exact path, or a pattern whose groups are the handler's `params`. */
  path: string | RegExp;
  handle(input: {
    body: unknown;
    query: URLSearchParams;
    params: string[];
  }): Promise<{ status: number; body?: unknown; contentType?: string }>;
}

type HttpLambda = (event: HttpEvent, context: Context) => Promise<HttpResponse>;
type AuthorizerLambda = (event: APIGatewayRequestAuthorizerEventV2) => Promise<{
  isAuthorized: boolean;
  context?: Record<string, unknown>;
}>;

/** Largest body the local server reads; API Gateway's own limit is 10 MB. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition & { id: string };
  pattern: RegExp;
  names: string[];
}

function compile(route: RouteDefinition & { id: string }): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (m?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/**
 * Serves the route table over HTTP the way API Gateway (HTTP API, payload 2.0) does: it builds
 * the same event, runs the same Lambda authorizer in front of `user` routes, and calls the same
 * handler modules the CDK stack deploys.
 *
 * @example
 * const api = await startApiServer({ port: 3000 });
 */
export async function startApiServer(
  options: {
    port?: number;
    host?: string;
    localRoutes?: LocalRoute[];
    /** The allowed CORS origins; by default, the runtime's `CORS_ALLOWED_ORIGINS`, read per request. */
    corsOrigins?: () => readonly string[];
  } = {},
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const compiled = routeList.map(compile);
  const origins = options.corsOrigins ?? corsOrigins;
  const modules = new Map<string, Promise<{ handler: unknown }>>();
  const load = (name: string) => {
    if (!modules.has(name)) modules.set(name, import(`../functions/handlers/${name}.ts`));
    return modules.get(name) as Promise<{ handler: unknown }>;
  };

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch((error: unknown) => {
      console.error('local api: unexpected failure', error instanceof Error ? error.message : error);
      if (!res.headersSent) fail(req, res, requestId, 'INTERNAL', 'Local server failure.');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    let pathname: string;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      // API Gateway matches routes on the decoded path; a broken %-escape is the caller's fault.
      pathname = url.pathname.split('/').map(decodeURIComponent).join('/');
    } catch {
      fail(req, res, requestId, 'MALFORMED_PATH', 'The path has a malformed %-escape.');
      return;
    }
    const matches = compiled
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .filter((x): x is { c: CompiledRoute; m: RegExpExecArray } => x.m !== null);

    // A browser's preflight, answered as API Gateway's CORS configuration does: before any
    // authorizer, and whether or not the path exists.
    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      await drain(req);
      preflight(req, res, requestId);
      return;
    }

    const body = await readBody(req);
    if (body === undefined) {
      fail(req, res, requestId, 'PAYLOAD_TOO_LARGE', 'Body too large.');
      return;
    }

    const local = options.localRoutes
      ?.map((r) => ({ r, m: matchLocal(r, method, pathname) }))
      .find((x) => x.m !== undefined);
    if (local?.m !== undefined) {
      let parsed: unknown;
      try {
        parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
      } catch {
        fail(req, res, requestId, 'MALFORMED_BODY', 'The body is not valid JSON.');
        return;
      }
      const result = await local.r.handle({ body: parsed, query: url.searchParams, params: local.m });
      const text =
        result.body === undefined
          ? ''
          : typeof result.body === 'string' || Buffer.isBuffer(result.body)
            ? result.body
            : JSON.stringify(result.body);
      send(
        req,
        res,
        result.status,
        requestId,
        { 'content-type': result.contentType ?? 'application/json' },
        text,
      );
      return;
    }

    const match = matches.find((x) => x.c.route.method === method);
    if (match === undefined) {
      const allowed = matches.map((x) => x.c.route.method);
      if (allowed.length > 0)
        fail(req, res, requestId, 'METHOD_NOT_ALLOWED', `Use ${allowed.join(', ')}.`, {
          allow: allowed.join(', '),
        });
      else fail(req, res, requestId, 'ROUTE_NOT_FOUND', 'No such route.');
      return;
    }

    const { route } = match.c;
    const pathParameters = Object.fromEntries(
      match.c.names.map((n, i) => [n, decodeURIComponent(match.m[i + 1] ?? '')]),
    );
    const event = toEvent(req, url, route, pathParameters, body);
    event.requestContext.requestId = requestId;
    if (route.auth === 'user') {
      const authorizer = (await load('authorizer')).handler as AuthorizerLambda;
      const verdict = await asFunction('authorizer', () => authorizer(toAuthorizerEvent(event)));
      if (!verdict.isAuthorized) {
        send(
          req,
          res,
          403,
          requestId,
          { 'content-type': 'application/json' },
          JSON.stringify({ message: 'Forbidden' }),
        );
        return;
      }
      event.requestContext.authorizer = { lambda: verdict.context ?? {} };
    }
    const handler = (await load(route.handler)).handler as HttpLambda;
    const response = await asFunction(route.handler, () => handler(event, lambdaContext(route.handler)));
    // API Gateway replaces the functions' CORS headers with its own configuration's.
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {})
        .filter(([k, v]) => v !== undefined && v !== '' && !k.toLowerCase().startsWith('access-control-'))
        .map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const payload = response.isBase64Encoded
      ? Buffer.from(response.body ?? '', 'base64')
      : (response.body ?? '');
    send(req, res, response.statusCode ?? 200, requestId, headers, payload);
  }

  /** 204 with the CORS headers when the origin is allowed; 204 without them when it is not. */
  function preflight(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const origin = allowedOrigin(req.headers.origin, origins());
    const methods = [...new Set(compiled.map((c) => c.route.method))].sort().join(',');
    send(
      req,
      res,
      204,
      requestId,
      origin === undefined
        ? {}
        : {
            'access-control-allow-methods': methods,
            'access-control-allow-headers': CORS_POLICY.allowHeaders.join(','),
            'access-control-max-age': String(CORS_POLICY.maxAgeSeconds),
          },
      '',
    );
  }

  /**
   * Every answer carries `x-request-id` and, for an allowed `Origin`, the CORS headers: API
   * Gateway adds them to every response when the API has a CORS configuration.
   */
  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    requestId: string,
    headers: Record<string, string>,
    body: string | Buffer,
  ): void {
    const origin = allowedOrigin(req.headers.origin, origins());
    const cors: Record<string, string> =
      origin === undefined
        ? {}
        : {
            'access-control-allow-origin': origin,
            'access-control-expose-headers': CORS_POLICY.exposeHeaders.join(','),
            ...(origin === '*' ? {} : { vary: 'origin' }),
          };
    res.writeHead(status, { ...headers, ...cors, 'x-request-id': headers['x-request-id'] ?? requestId });
    res.end(body);
  }

  function fail(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    code: PublicErrorCode,
    detail: string,
    extra: Record<string, string> = {},
  ): void {
    send(
      req,
      res,
      problem(code, detail, requestId).status,
      requestId,
      { 'content-type': 'application/problem+json', ...extra },
      JSON.stringify(problem(code, detail, requestId)),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function matchLocal(route: LocalRoute, method: string, path: string): string[] | undefined {
  if (route.method !== method) return undefined;
  if (typeof route.path === 'string') return route.path === path ? [] : undefined;
  const m = route.path.exec(path);
  return m === null ? undefined : m.slice(1).map((g) => g ?? '');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: Buffer,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search.length > 1 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: clientIp(req, headers),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length === 0 ? {} : { body: body.toString('utf8') }),
    isBase64Encoded: false,
  };
}

/**
 * API Gateway puts the caller's address in `sourceIp`. Locally, a test or a proxy in front can
 * name one with `X-Forwarded-For` (first address), so per-IP limits can be tried out.
 */
function clientIp(req: IncomingMessage, headers: Record<string, string>): string {
  const forwarded = headers['x-forwarded-for']?.split(',')[0]?.trim();
  if (forwarded) return forwarded;
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
}

function toAuthorizerEvent(event: HttpEvent): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.routeKey.replace(' ', '')}`,
    identitySource: [event.headers.authorization ?? ''],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: [],
    headers: event.headers as Record<string, string>,
    queryStringParameters: (event.queryStringParameters ?? {}) as Record<string, string>,
    requestContext: event.requestContext,
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    stageVariables: {},
  } as APIGatewayRequestAuthorizerEventV2;
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
