import { describe, expect, it } from 'vitest';
import { ANSWERED_AS, answerFor, STATUS_OF } from '../../functions/api/error-statuses';
import * as errors from '../../functions/domain/errors';
import { AppError, type ErrorCode } from '../../functions/domain/errors';
import { problemErrors } from '../../functions/http/middleware/problem-errors';

type ErrorClass = { code: ErrorCode; new (...args: never[]): AppError };
const classes = (Object.values(errors) as unknown[]).filter(
  (value): value is ErrorClass => typeof value === 'function' && value.prototype instanceof AppError,
);

function answer(error: unknown) {
  const request = {
    event: { requestContext: { requestId: 'req-1' } },
    error,
    response: undefined,
  } as unknown as Parameters<NonNullable<ReturnType<typeof problemErrors>['onError']>>[0];
  problemErrors().onError?.(request);
  const response = request.response as { statusCode: number; headers: Record<string, string>; body: string };
  return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
}

describe('Errors: one hierarchy, one code union', () => {
  it('gives every error class a static code equal to its instances’ code', () => {
    // Prepare
    const made = classes.map((Class) => {
      const args = { ValidationFailedError: [[]], AccountLockedError: [5] } as Record<string, unknown[]>;
      return {
        Class,
        instance: new (Class as unknown as new (...a: unknown[]) => AppError)(...(args[Class.name] ?? ['x'])),
      };
    });

    // Assess
    expect(made.length).toBeGreaterThanOrEqual(20);
    for (const { Class, instance } of made) {
      expect(instance).toBeInstanceOf(AppError);
      expect(instance.code).toBe(Class.code);
      expect(instance.name).toBe(Class.name);
    }
  });

  it('answers every code with exactly one status', () => {
    for (const Class of classes) {
      const { status } = answerFor(Class.code);
      expect(status, Class.code).toBeGreaterThanOrEqual(400);
    }
    for (const [internal, shown] of Object.entries(ANSWERED_AS)) {
      expect(answerFor(internal as ErrorCode)).toEqual({
        code: shown,
        status: STATUS_OF[shown],
        exposeMessage: false,
      });
    }
  });
});

describe('Middleware: problemErrors', () => {
  it('answers an internal code as its public code, never with its message', () => {
    // Act
    const config = answer(new errors.ConfigError('Invalid configuration: set TABLE_NAME'));
    const plaid = answer(
      new errors.PlaidRequestError('INTERNAL_SERVER_ERROR', 'API_ERROR', 500, 'secret-ish'),
    );

    // Assess
    expect(config.status).toBe(500);
    expect(config.body).toMatchObject({ code: 'INTERNAL', requestId: 'req-1' });
    expect(JSON.stringify(config.body)).not.toContain('TABLE_NAME');
    expect(plaid.status).toBe(503);
    expect(plaid.body.code).toBe('PLAID_UNAVAILABLE');
    expect(JSON.stringify(plaid.body)).not.toContain('secret-ish');
  });

  it('answers a lost race as 409 CONFLICT and throttling as 503, each with Retry-After', () => {
    // Act
    const conflict = answer(new errors.ConflictError());
    const busy = answer(new errors.ServiceUnavailableError());

    // Assess
    expect(conflict).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT' },
      headers: { 'retry-after': '1' },
    });
    expect(busy).toMatchObject({
      status: 503,
      body: { code: 'SERVICE_UNAVAILABLE' },
      headers: { 'retry-after': '2' },
    });
  });

  it('answers anything that is not an AppError as a bare 500', () => {
    const bare = answer(new TypeError('x is undefined'));
    expect(bare.status).toBe(500);
    expect(bare.body.code).toBe('INTERNAL');
    expect(JSON.stringify(bare.body)).not.toContain('undefined');
  });
});
