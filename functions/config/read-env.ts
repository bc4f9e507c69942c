import * as z from 'zod/mini';
import { ConfigError } from '../domain/errors';

/**
 * Raised when the environment is incomplete or wrong: at cold start for what a function's
 * capabilities need (the function fails to initialise, naming the variable), on first use for
 * anything else.
 */
export { ConfigError };

/** The environment as a function sees it. */
export type Env = Record<string, string | undefined>;

/** A whole number between `min` and `max`, from its decimal string. */
export const int = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
    z.pipe(
      z.transform((v: string) => Number(v)),
      z.number().check(z.gte(min), z.lte(max)),
    ),
  );

/** A non-empty string. */
export const text = () => z.string().check(z.minLength(1));

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Parses the variables of one section, or throws a {@link ConfigError} that names each bad
 * variable and says what is wrong with it.
 */
export function parseSection<S extends z.ZodMiniObject>(env: Env, schema: S): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return issue.code === 'invalid_type' && env[name] === undefined
      ? `${name} is not set`
      : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Exactly one of two variables that say where a secret lives: one in AWS, one locally. */
export function oneOf(env: Env, inAws: string, locally: string): void {
  if ((env[inAws] === undefined) === (env[locally] === undefined)) {
    throw new ConfigError(`Invalid configuration: set exactly one of ${inAws} and ${locally}`);
  }
}
