import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { type RouteDefinition, routeList } from '../functions/api/routes';
import { problem } from '../functions/http/problem';
import type { HttpEvent, HttpResponse } from '../functions/http/types';

/** A route only the local runtime serves (`/_local/...`), never deployed. */
export interface LocalRoute {
  method: string;
  path: string;
  handle(input: { body: unknown; query: URLSearchParams }): Promise<{ status: number; body?: unknown }>;
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
  options: { port?: number; host?: string; localRoutes?: LocalRoute[] } = {},
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const compiled = routeList.map(compile);
  const modules = new Map<string, Promise<{ handler: unknown }>>();
  const load = (name: string) => {
    if (!modules.has(name)) modules.set(name, import(`../functions/handlers/${name}.ts`));
    return modules.get(name) as Promise<{ handler: unknown }>;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('local api: unexpected failure', error instanceof Error ? error.message : error);
      if (!res.headersSent)
        send(
          res,
          500,
          problemHeaders(),
          JSON.stringify(problem('INTERNAL', 'Local server failure.', 'local')),
        );
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (body === undefined) {
      send(
        res,
        413,
        problemHeaders(),
        JSON.stringify(problem('PAYLOAD_TOO_LARGE', 'Body too large.', randomUUID())),
      );
      return;
    }

    const local = options.localRoutes?.find((r) => r.method === method && r.path === url.pathname);
    if (local !== undefined) {
      let parsed: unknown;
      try {
        parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
      } catch {
        send(
          res,
          400,
          problemHeaders(),
          JSON.stringify(problem('MALFORMED_BODY', 'The body is not valid JSON.', randomUUID())),
        );
        return;
      }
      const result = await local.handle({ body: parsed, query: url.searchParams });
      send(
        res,
        result.status,
        { 'content-type': 'application/json' },
        result.body === undefined ? '' : JSON.stringify(result.body),
      );
      return;
    }

    const matches = compiled
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .filter((x): x is { c: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    const match = matches.find((x) => x.c.route.method === method);
    if (match === undefined) {
      const code = matches.length > 0 ? 'METHOD_NOT_ALLOWED' : 'ROUTE_NOT_FOUND';
      const detail =
        matches.length > 0 ? `Use ${matches.map((x) => x.c.route.method).join(', ')}.` : 'No such route.';
      send(
        res,
        code === 'ROUTE_NOT_FOUND' ? 404 : 405,
        problemHeaders(),
        JSON.stringify(problem(code, detail, randomUUID())),
      );
      return;
    }

    const { route } = match.c;
    const pathParameters = Object.fromEntries(
      match.c.names.map((n, i) => [n, decodeURIComponent(match.m[i + 1] ?? '')]),
    );
    const event = toEvent(req, url, route, pathParameters, body);
    if (route.auth === 'user') {
      const authorizer = (await load('authorizer')).handler as AuthorizerLambda;
      const verdict = await authorizer(toAuthorizerEvent(event));
      if (!verdict.isAuthorized) {
        send(res, 403, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Forbidden' }));
        return;
      }
      event.requestContext.authorizer = { lambda: verdict.context ?? {} };
    }
    const handler = (await load(route.handler)).handler as HttpLambda;
    const response = await handler(event, lambdaContext(route.handler));
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {})
        .filter(([, v]) => v !== undefined && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
    const payload = response.isBase64Encoded
      ? Buffer.from(response.body ?? '', 'base64')
      : (response.body ?? '');
    send(res, response.statusCode ?? 200, headers, payload);
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
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

function problemHeaders(): Record<string, string> {
  return { 'content-type': 'application/problem+json' };
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.writeHead(status, headers);
  res.end(body);
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
