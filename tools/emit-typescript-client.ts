/**
 * Emits a typed TypeScript client from the API's OpenAPI document: one type per named schema,
 * an `Operations` map (method, path, parameters, body, every documented response) and a small
 * `fetch`-based `createClient`. It reads only the subset of OpenAPI 3.1 / JSON Schema our
 * document uses, and throws on anything else, so a new construct fails loudly here instead of
 * becoming `any` in the apps.
 *
 * Why not openapi-typescript: it needs TypeScript 5's compiler API, and this project builds with
 * TypeScript 7 (native), which has none. This emitter writes text; `tsc` checks it.
 */

type Schema = Record<string, unknown>;

interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}

interface OpenApiDocument {
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  };
}

const REF_PREFIX = '#/components/schemas/';

/**
 * The source of `<name>.ts`: types and a client for every operation of `document`.
 *
 * @example
 * writeFileSync('linkguard-client.ts', emitTypeScriptClient(openApiDocument()));
 */
export function emitTypeScriptClient(document: unknown): string {
  const doc = document as OpenApiDocument;
  const lines: string[] = [
    `// Generated from the OpenAPI document of ${doc.info.title} ${doc.info.version}. Do not edit.`,
    '// Regenerate with `npm run openapi -- --out <folder>`.',
    '',
  ];
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    const description = schema.description;
    if (typeof description === 'string') lines.push(`/** ${description.replaceAll('*/', '*\\/')} */`);
    lines.push(`export type ${name} = ${typeOf(schema, '')};`, '');
  }

  const runtime: string[] = [];
  lines.push('/** Every operation: how it is called and what it can answer, by status. */');
  lines.push('export interface Operations {');
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      lines.push(`  ${op.operationId}: {`);
      lines.push(`    params: ${parametersType(op, 'path')};`);
      lines.push(`    query: ${parametersType(op, 'query')};`);
      lines.push(`    body: ${bodyType(op)};`);
      lines.push('    responses: {');
      for (const [status, response] of Object.entries(op.responses)) {
        lines.push(
          `      ${status === 'default' ? 'default' : Number(status)}: ${responseType(doc, response)};`,
        );
      }
      lines.push('    };');
      lines.push('  };');
      const media = op.requestBody === undefined ? undefined : Object.keys(op.requestBody.content)[0];
      const statuses = Object.keys(op.responses).filter((status) => status !== 'default');
      runtime.push(
        `  ${op.operationId}: { method: '${method.toUpperCase()}', path: '${path}', bearer: ${
          (op.security ?? []).length > 0
        }, media: ${media === undefined ? 'undefined' : `'${media}'`}, statuses: [${statuses.join(', ')}] },`,
      );
    }
  }
  lines.push('}', '');
  lines.push('/** How each operation is sent. */');
  lines.push('export const operations = {', ...runtime, '} as const;', '');
  lines.push(CLIENT);
  return `${lines.join('\n')}\n`;
}

function typeOf(schema: Schema, indent: string): string {
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith(REF_PREFIX)) throw new Error(`Unsupported $ref ${schema.$ref}`);
    return schema.$ref.slice(REF_PREFIX.length);
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((s: Schema) => typeOf(s, indent)).join(' | ');
  }
  if (Array.isArray(schema.type)) {
    return schema.type.map((type: unknown) => typeOf({ ...schema, type }, indent)).join(' | ');
  }
  if (Array.isArray(schema.allOf))
    return schema.allOf.map((s: Schema) => `(${typeOf(s, indent)})`).join(' & ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${typeOf((schema.items ?? {}) as Schema, indent)}>`;
    case 'object':
      return objectType(schema, indent);
    case undefined:
      if (Object.keys(schema).every((k) => k === 'description')) return 'unknown';
      break;
  }
  throw new Error(`Unsupported schema ${JSON.stringify(schema)}`);
}

function objectType(schema: Schema, indent: string): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const extra = schema.additionalProperties;
  const members = Object.entries(properties).map(([name, property]) => {
    const doc = typeof property.description === 'string' ? `${indent}  /** ${property.description} */\n` : '';
    return `${doc}${indent}  ${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, `${indent}  `)};`;
  });
  if (typeof extra === 'object' && extra !== null) {
    members.push(`${indent}  [key: string]: ${typeOf(extra as Schema, `${indent}  `)};`);
  }
  return members.length === 0 ? 'Record<string, never>' : `{\n${members.join('\n')}\n${indent}}`;
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

function parametersType(op: Operation, where: 'path' | 'query'): string {
  const parameters = (op.parameters ?? []).filter((p) => p.in === where);
  if (parameters.length === 0) return 'undefined';
  const members = parameters.map((p) => `${key(p.name)}${p.required ? '' : '?'}: ${typeOf(p.schema, '')}`);
  return `{ ${members.join('; ')} }`;
}

function bodyType(op: Operation): string {
  if (op.requestBody === undefined) return 'undefined';
  const [first] = Object.values(op.requestBody.content);
  if (first === undefined) throw new Error(`${op.operationId}: a request body without content`);
  const type = typeOf(first.schema, '    ');
  return op.requestBody.required ? type : `${type} | undefined`;
}

function responseType(doc: OpenApiDocument, response: Operation['responses'][string]): string {
  const resolved =
    typeof response.$ref === 'string'
      ? doc.components.responses[response.$ref.slice('#/components/responses/'.length)]
      : response;
  if (resolved === undefined) throw new Error(`Unknown response ${response.$ref}`);
  const [first] = Object.values(resolved.content ?? {});
  return first === undefined ? 'undefined' : typeOf(first.schema, '      ');
}

/** The client, written once; it only depends on the two declarations above it. */
const CLIENT = `export type OperationId = keyof Operations;

type Optional<K extends string, T> = undefined extends T ? { [P in K]?: T } : { [P in K]: T };

/** What a call needs: path parameters, query, body, each only where the operation has one. */
export type RequestOf<Op extends OperationId> = Optional<'params', Operations[Op]['params']> &
  Optional<'query', Operations[Op]['query']> &
  Optional<'body', Operations[Op]['body']>;

type Responses<Op extends OperationId> = Operations[Op]['responses'];
type Documented<Op extends OperationId> = Exclude<keyof Responses<Op>, 'default'>;

/**
 * What a call answers. \`ok\` narrows to the success body; \`status\` narrows a problem to the codes
 * that status can carry. Any undocumented status arrives as the generic \`Problem\`.
 */
export type ResponseOf<Op extends OperationId> =
  | {
      [S in Documented<Op>]: {
        ok: S extends 200 | 201 | 202 | 204 ? true : false;
        status: S;
        body: Responses<Op>[S];
        headers: Headers;
      };
    }[Documented<Op>]
  | { ok: false; status: 'other'; httpStatus: number; body: Problem; headers: Headers };

export interface ClientOptions {
  baseUrl: string;
  /** The access token for \`bearer\` operations, read at each call. */
  accessToken?: () => string | undefined;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/**
 * A typed client.
 *
 * @example
 * const api = createClient({ baseUrl: 'https://api.example.org' });
 * const signedIn = await api('login', { body: { username, password } });
 * if (signedIn.ok) save(signedIn.body.refresh_token);
 */
export function createClient(options: ClientOptions) {
  const send = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  return async function call<Op extends OperationId>(operationId: Op, request: RequestOf<Op>): Promise<ResponseOf<Op>> {
    const operation = operations[operationId];
    const { params, query, body } = request as { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
    const path = operation.path.replace(/\\{(\\w+)\\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
    const search = new URLSearchParams(Object.entries(query ?? {}).filter(([, v]) => v !== undefined)).toString();
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = operation.bearer ? options.accessToken?.() : undefined;
    if (token !== undefined) headers.authorization = \`Bearer \${token}\`;
    let payload: string | undefined;
    if (body !== undefined && operation.media !== undefined) {
      headers['content-type'] = operation.media;
      payload = operation.media === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString();
    }
    const response = await send(\`\${options.baseUrl}\${path}\${search === '' ? '' : \`?\${search}\`}\`, {
      method: operation.method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    const documented: readonly number[] = operation.statuses;
    return documented.includes(response.status)
      ? ({ ok: response.ok, status: response.status, body: parsed, headers: response.headers } as unknown as ResponseOf<Op>)
      : ({ ok: false, status: 'other', httpStatus: response.status, body: parsed, headers: response.headers } as ResponseOf<Op>);
  };
}`;
