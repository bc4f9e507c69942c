import { validateSections } from '../config/config';
import { configSectionsFor } from '../manifest/config-sections';
import { deploymentOf, type FunctionId } from '../manifest/function-manifest';
import { currentRuntime } from './runtime';

/**
 * A function's cold start: checks, now, the configuration its capabilities need (and only that),
 * so that a missing variable fails the function's initialisation with a message naming it,
 * instead of failing the first request that happens to need it. Called once at module load by
 * every handler.
 *
 * @example
 * startFunction('authorizer', { http: false });
 */
export function startFunction(id: FunctionId, options: { http: boolean }): void {
  validateSections(currentRuntime().env, configSectionsFor(deploymentOf(id).capabilities, options));
}
