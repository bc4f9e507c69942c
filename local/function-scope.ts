import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which deployed function the local runtime is running right now, named by its handler file
 * (`login`, `authorizer`, `poller-worker`): in AWS each is its own Lambda with its own role,
 * locally they share one process. Everything a function's invocation starts (awaited or not)
 * runs in its scope, so a test can attribute what the code does — its AWS calls — to the
 * function whose IAM role would have to allow it.
 */
const scope = new AsyncLocalStorage<string>();

/**
 * Runs `work` as an invocation of the function built from `functions/handlers/<handler>.ts`.
 *
 * @example
 * const response = await asFunction(route.handler, () => handler(event, context));
 */
export function asFunction<T>(handler: string, work: () => T): T {
  return scope.run(handler, work);
}

/** The handler whose invocation is running, or undefined outside any (test code, setup). */
export function currentFunction(): string | undefined {
  return scope.getStore();
}
