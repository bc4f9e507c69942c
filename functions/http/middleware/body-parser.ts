import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { BodyFormat } from '../../api/formats';
import { AppError } from '../../domain/errors';
import type { HttpEvent, HttpResponse } from '../types';
import { stateOf } from './request-context';

const MEDIA_TYPES: Record<BodyFormat, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/** Bodies above this many bytes are refused before parsing (413), whatever the route. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Parses the body into `request.internal.body`. JSON (`application/json` or any `+json`) and,
 * where the route allows, form-encoded bodies. A wrong content type is 415, a bad body 400, an
 * oversized one 413: never a 500. An empty body parses to `undefined`, which the schema judges.
 */
export function bodyParser(options: {
  formats: readonly BodyFormat[];
}): MiddlewareObj<HttpEvent, HttpResponse> {
  const before = (request: Request<HttpEvent, HttpResponse, Error, Context>): void => {
    const event = request.event;
    const raw = event.body ?? '';
    const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    // RFC 6749 §3.2: OAuth parameters MUST NOT be included more than once; never "last one wins".
    if (options.formats.includes('form')) rejectRepeated(event.rawQueryString ?? '', 'query');
    const state = stateOf(request);
    state.rawBody = text;
    if (text.trim() === '') {
      state.body = undefined;
      return;
    }
    const contentType = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const isJson = contentType === MEDIA_TYPES.json || /^application\/[a-z0-9.+-]+\+json$/.test(contentType);
    if (isJson && options.formats.includes('json')) {
      try {
        state.body = JSON.parse(text);
      } catch {
        throw new AppError('MALFORMED_BODY', 'The body is not valid JSON.');
      }
      return;
    }
    if (contentType === MEDIA_TYPES.form && options.formats.includes('form')) {
      rejectRepeated(text, 'body');
      state.body = Object.fromEntries(new URLSearchParams(text));
      return;
    }
    const accepted = options.formats.map((f) => MEDIA_TYPES[f]).join(' or ');
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${accepted}.`);
  };
  return { before };
}

/** INVALID_REQUEST if a form-encoded string names a parameter more than once. */
function rejectRepeated(encoded: string, where: 'query' | 'body'): void {
  const seen = new Set<string>();
  for (const [name] of new URLSearchParams(encoded)) {
    if (seen.has(name))
      throw new AppError(
        'INVALID_REQUEST',
        `Parameter ${JSON.stringify(name)} appears more than once in the ${where}.`,
      );
    seen.add(name);
  }
}
