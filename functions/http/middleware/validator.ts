import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type FieldError, ValidationFailedError } from '../../domain/errors';
import { describeIssue } from '../field-messages';
import type { HttpEvent, HttpResponse } from '../types';
import { stateOf } from './request-context';

/** The schemas a route validates its input with. */
export interface InputSchemas {
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  params?: z.ZodMiniType;
}

/** Every field's problem in words ("must be 8 to 128 characters"), not zod mini's "Invalid input". */
const PARSE = { error: describeIssue } as const;

/** Field errors from a failed parse, with dotted paths prefixed by where the value came from. */
export function fieldErrors(error: z.core.$ZodError, prefix = ''): FieldError[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

/**
 * Validates body, query string and path parameters against the route's schemas and replaces
 * them with the parsed values. Failures are 422 VALIDATION_FAILED with per-field `errors`.
 */
export function validator(schemas: InputSchemas): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = (request: Request<HttpEvent, HttpResponse, Error, Context>): void => {
    const state = stateOf(request);
    const errors: FieldError[] = [];
    if (schemas.body !== undefined) {
      const result = schemas.body.safeParse(state.body, PARSE);
      if (result.success) state.body = result.data;
      else errors.push(...fieldErrors(result.error));
    }
    if (schemas.query !== undefined) {
      const result = schemas.query.safeParse(request.event.queryStringParameters ?? {}, PARSE);
      if (result.success) request.event.queryStringParameters = result.data as Record<string, string>;
      else errors.push(...fieldErrors(result.error, 'query'));
    }
    if (schemas.params !== undefined) {
      const result = schemas.params.safeParse(request.event.pathParameters ?? {}, PARSE);
      if (result.success) request.event.pathParameters = result.data as Record<string, string>;
      else errors.push(...fieldErrors(result.error, 'path'));
    }
    if (errors.length > 0) throw new ValidationFailedError(errors);
  };
  return { before };
}
