import { systemClock } from '../adapters/system-clock';
import { type Config, type Env, loadConfig } from '../config/config';
import type { Clock } from '../domain/clock';

/**
 * The composition root's shared state: configuration and clock, read once per cold start, and
 * a cache of the objects built from them. The other files of `composition/` wire adapters into
 * use cases; they are split so that each handler's bundle imports only what it uses.
 */
interface Runtime {
  /** The environment the configuration is read from. */
  env: Env;
  config: Config;
  clock: Clock;
  built: Map<string, unknown>;
}

let runtime: Runtime | undefined;

/** Overrides the environment and clock (tests, local runtime), dropping everything built before. */
export function configureRuntime(input: { env?: Record<string, string | undefined>; clock?: Clock }): void {
  const env = input.env ?? process.env;
  runtime = {
    env,
    config: loadConfig(env),
    clock: input.clock ?? systemClock,
    built: new Map(),
  };
}

/** Config and clock, from `process.env` on first use (each config section is read on first use too). */
export function currentRuntime(): Runtime {
  runtime ??= { env: process.env, config: loadConfig(process.env), clock: systemClock, built: new Map() };
  return runtime;
}

/** Builds a shared object once per runtime. */
export function memo<T>(key: string, build: (rt: Runtime) => T): T {
  const rt = currentRuntime();
  if (!rt.built.has(key)) rt.built.set(key, build(rt));
  return rt.built.get(key) as T;
}

/** The CORS origins (`CORS_ALLOWED_ORIGINS`), for the local runtime's preflight answers. */
export const corsOrigins = (): string[] => currentRuntime().config.corsAllowedOrigins;
