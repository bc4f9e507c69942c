import * as z from 'zod/mini';
import type { PublicErrorCode as ErrorCode } from '../domain/errors';
import { STATUS_OF } from './error-statuses';
import { routeList } from './routes';
import { apiSchemas, OAuthErrorResponse } from './schemas';

type JsonSchema = Record<string, unknown>;
type Route = (typeof routeList)[number];

const SCHEMAS = '#/components/schemas/';
const ref = (id: string) => ({ $ref: `${SCHEMAS}${id}` });

/** Codes whose answers carry `Retry-After` (seconds): the client may try again after it. */
const RETRY_AFTER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ACCOUNT_LOCKED',
  'SMS_RATE_LIMITED',
  'TOO_MANY_ATTEMPTS',
  'SMS_UNAVAILABLE',
  'PLAID_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
]);

/** Problem members beyond RFC 9457's and ours, and the codes whose problems carry them. */
const EXTENSION_MEMBERS: Record<string, readonly ErrorCode[]> = {
  errors: ['VALIDATION_FAILED', 'PASSWORD_TOO_COMMON'],
  itemId: ['INSTITUTION_ALREADY_LINKED'],
  item: ['STILL_BROKEN', 'RELINK_REQUIRED'],
};

const TAGS = [
  { name: 'auth', description: 'Signing in: password, SMS, social providers, tokens.' },
  { name: 'me', description: 'The signed-in user: profile, ways in, sessions, history.' },
  { name: 'bank-links', description: 'Plaid bank links (Items) and their health.' },
  { name: 'meta', description: 'Keys and this document.' },
] as const;

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its schemas. Every
 * body and response is a named schema in `components.schemas`; each operation's problems have
 * a schema of their own whose `code` is the enum of the codes that operation can answer.
 *
 * @example
 * const doc = openApiDocument(); // serve at GET /openapi.json
 */
export function openApiDocument(): Record<string, unknown> {
  const schemas = namedSchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    const problemId = problemSchemaId(route.id);
    const problemCodes = route.errorFormat === 'oauth' ? [] : [...route.errors];
    if (problemCodes.length > 0)
      schemas[problemId] = problemSchema(schemas.Problem as JsonSchema, problemCodes);
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route, problemId);
  }
  schemas.InternalProblem = problemSchema(schemas.Problem as JsonSchema, ['INTERNAL']);

  return {
    openapi: '3.1.0',
    info: {
      title: 'LinkGuard API',
      version: '1.0.0',
      description:
        "Unified sign-in and Plaid bank-link health for a personal-finance app. Errors are RFC 9457 problem documents with a stable `code` (see each operation's `…Problem` schema); times are ISO 8601 UTC; durations are seconds. Every response has an `x-request-id` header.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description:
          'A deployed stack: the HTTP API URL `cdk deploy` prints (or a custom domain in front of it).',
        variables: {
          apiId: { default: 'abc123defg', description: 'The HTTP API id.' },
          region: { default: 'us-east-1', description: 'The AWS Region of the stack.' },
        },
      },
    ],
    tags: TAGS,
    paths,
    components: {
      schemas: sortedByKey(schemas),
      responses: {
        OtherProblem: {
          description:
            'Any other problem (an unknown route or method, or a code added after this document): handle it by its HTTP status and show `detail`.',
          headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' } },
          content: { 'application/problem+json': { schema: ref('Problem') } },
        },
        InternalError: {
          description:
            'Our bug or an outage. The body shows nothing of the cause (it is logged with the request id); retrying later may work.',
          headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' } },
          content: { 'application/problem+json': { schema: ref('InternalProblem') } },
        },
      },
      headers: {
        RequestId: {
          description: 'The id of this request in our logs; quote it when reporting a problem.',
          schema: { type: 'string' },
        },
        RetryAfter: {
          description: 'Seconds to wait before trying again (RFC 9110 §10.2.3).',
          schema: { type: 'integer', minimum: 0 },
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token from a sign-in or `POST /v1/oauth/token`.',
        },
      },
    },
  };
}

/** The RFC 9470 challenge a sensitive route's 401 carries when the authentication is too old. */
const STEP_UP_CHALLENGE = {
  description:
    'On `REAUTH_REQUIRED`: `Bearer error="insufficient_user_authentication", max_age=600` (RFC 9470); ' +
    'on `INVALID_TOKEN`: `Bearer error="invalid_token"`.',
  schema: { type: 'string' },
};

function operation(route: Route, problemId: string): Record<string, unknown> {
  const requestIdHeader = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: route.success.description,
      headers: requestIdHeader,
      ...(route.success.schema === undefined
        ? {}
        : { content: { 'application/json': { schema: ref(nameOf(route.success.schema, route.id)) } } }),
    },
  };
  const oauth = route.errorFormat === 'oauth';
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of route.errors) {
    const status = oauth ? 400 : STATUS_OF[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const retry = codes.filter((code) => RETRY_AFTER.has(code));
    const challenge = status === 401 && codes.includes('REAUTH_REQUIRED');
    responses[status] = {
      description: codes.join(', '),
      headers: {
        ...requestIdHeader,
        ...(challenge ? { 'www-authenticate': STEP_UP_CHALLENGE } : {}),
        ...(retry.length === 0
          ? {}
          : {
              'retry-after': {
                $ref: '#/components/headers/RetryAfter',
              },
            }),
      },
      content: oauth
        ? { 'application/json': { schema: ref(nameOf(OAuthErrorResponse, route.id)) } }
        : { 'application/problem+json': { schema: ref(problemId) } },
    };
  }
  responses['500'] = { $ref: '#/components/responses/InternalError' };
  responses.default = { $ref: '#/components/responses/OtherProblem' };

  const parameters = [
    ...(route.params === undefined ? [] : objectParameters(route.params, 'path')),
    ...(route.query === undefined ? [] : objectParameters(route.query, 'query')),
  ];
  const body = route.body as z.ZodMiniType | undefined;
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.sensitive === undefined
      ? {}
      : {
          description:
            `Sensitive${route.sensitive === true ? '' : ` ${route.sensitive.description}`}: the session must be ` +
            "live (a signed-out or revoked one is 401 at once) and the access token's `auth_time` at most " +
            '`STEP_UP_MAX_AGE_SECONDS` (600) old, else 401 `REAUTH_REQUIRED`; re-authenticate with ' +
            '`POST /v1/auth/reauth` and retry.',
          'x-sensitive': true,
        }),
    tags: [tagOf(route.path)],
    security: route.auth === 'user' ? [{ bearer: [] }] : [],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: !body.safeParse(undefined).success,
            content: Object.fromEntries(
              (route.bodyFormats ?? ['json']).map((format) => [
                format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
                { schema: ref(nameOf(body, route.id)) },
              ]),
            ),
          },
        }),
    responses,
  };
}

/** Every named schema, as JSON Schema whose references point into `components.schemas`. */
function namedSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    metadata: apiSchemas,
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `${SCHEMAS}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}

/** The name of a registered schema (an optional body is named by what it wraps). */
function nameOf(schema: z.ZodMiniType, routeId: string): string {
  const inner = (schema._zod.def as { innerType?: z.ZodMiniType }).innerType;
  const id = apiSchemas.get(schema)?.id ?? (inner === undefined ? undefined : apiSchemas.get(inner)?.id);
  if (id === undefined)
    throw new Error(`Route ${routeId}: a body or response schema has no name (use named()).`);
  return id;
}

function problemSchemaId(routeId: string): string {
  return `${routeId.charAt(0).toUpperCase()}${routeId.slice(1)}Problem`;
}

/** `Problem` narrowed to some codes: `code` and `status` become enums; unrelated extensions go. */
function problemSchema(problem: JsonSchema, codes: readonly ErrorCode[]): JsonSchema {
  const base = problem as { properties: Record<string, unknown>; required: string[] };
  const properties = Object.fromEntries(
    Object.entries(base.properties).filter(
      ([name]) =>
        !(name in EXTENSION_MEMBERS) || EXTENSION_MEMBERS[name]?.some((code) => codes.includes(code)),
    ),
  );
  const statuses = [...new Set(codes.map((code) => STATUS_OF[code]))].sort((a, b) => a - b);
  return {
    ...base,
    description: `A problem this operation answers with: ${codes.join(', ')}.`,
    properties: {
      ...properties,
      status: { type: 'integer', enum: statuses },
      code: { type: 'string', enum: [...codes] },
    },
    required: base.required,
  };
}

function tagOf(path: string): (typeof TAGS)[number]['name'] {
  if (path.startsWith('/v1/auth') || path.startsWith('/v1/oauth')) return 'auth';
  if (path.startsWith('/v1/me')) return 'me';
  if (path.startsWith('/v1/plaid')) return 'bank-links';
  return 'meta';
}

function objectParameters(schema: z.ZodMiniType, where: 'path' | 'query') {
  const json = z.toJSONSchema(schema, { metadata: apiSchemas, io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { $ref: named, ...inline } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: typeof named === 'string' ? { $ref: named.replace('#/$defs/', SCHEMAS) } : inline,
    };
  });
}

function sortedByKey(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
