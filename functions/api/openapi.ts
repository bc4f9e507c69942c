import * as z from 'zod/mini';
import { STATUS_OF } from '../http/problem';
import { routeList } from './routes';
import { OAuthErrorResponse, ProblemResponse } from './schemas';

const jsonSchema = (schema: z.ZodMiniType): Record<string, unknown> => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its schemas.
 *
 * @example
 * const doc = openApiDocument(); // serve at GET /openapi.json
 */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    const responses: Record<string, unknown> = {
      [route.success.status]: {
        description: route.success.description,
        ...(route.success.schema === undefined
          ? {}
          : { content: { 'application/json': { schema: jsonSchema(route.success.schema) } } }),
      },
    };
    const errorSchema = route.errorFormat === 'oauth' ? OAuthErrorResponse : ProblemResponse;
    const errorMedia = route.errorFormat === 'oauth' ? 'application/json' : 'application/problem+json';
    const byStatus = new Map<number, string[]>();
    for (const code of route.errors) {
      const status = route.errorFormat === 'oauth' ? 400 : STATUS_OF[code];
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of byStatus) {
      responses[status] = {
        description: codes.join(', '),
        content: { [errorMedia]: { schema: jsonSchema(errorSchema) } },
      };
    }
    const parameters = [
      ...(route.params === undefined ? [] : objectParameters(route.params, 'path')),
      ...(route.query === undefined ? [] : objectParameters(route.query, 'query')),
    ];
    const formats = route.bodyFormats ?? ['json'];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: route.id,
      summary: route.summary,
      ...(route.auth === 'user' ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: !route.body.safeParse(undefined).success,
              content: Object.fromEntries(
                formats.map((f) => [
                  f === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
                  { schema: jsonSchema(route.body as z.ZodMiniType) },
                ]),
              ),
            },
          }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'LinkGuard API',
      version: '1.0.0',
      description:
        'Unified sign-in and Plaid bank-link health for a personal-finance app. Errors are RFC 9457 problem documents with a stable `code`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

function objectParameters(schema: z.ZodMiniType, where: 'path' | 'query') {
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}
