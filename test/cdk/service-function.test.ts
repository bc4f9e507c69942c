import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { validateSections } from '../../functions/config/config';
import { configSectionsFor } from '../../functions/manifest/config-sections';
import { deploymentOf, deployedRoutes as routeList } from '../../functions/manifest/function-manifest';
import { logicalIdOf, synthesize } from './fixture';

const { api, data, apiTemplate } = synthesize();
const templates = { data, api: apiTemplate };

/** Lambda functions of both stacks, by logical id. */
const functions = Object.entries(templates).flatMap(([stack, template]) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, resource]) => ({
    stack,
    id,
    properties: resource.Properties,
  })),
);

/** A function's environment with each deploy-time token replaced by a plausible string (a URL for `*_URL`). */
function environmentAtDeploy(variables: Record<string, unknown>): Record<string, string> {
  const plausible = (name: string) =>
    name.endsWith('_URL')
      ? `https://resolved-at-deploy.example.com/${name.toLowerCase()}`
      : `resolved-at-deploy-${name.toLowerCase()}`;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : plausible(name),
    ]),
  );
}

describe('Class: ServiceFunction', () => {
  it('covers every function of the app: the routes, the authorizer, the poller, the deletion worker, the bootstrap, the public-key publisher and their providers', () => {
    expect(functions).toHaveLength(routeList.length + 8);
  });

  it.each(functions.map((f) => [f.id, f] as const))('%s runs Node.js 24 on ARM64', (_id, fn) => {
    expect(fn.properties.Runtime).toBe('nodejs24.x');
    expect(fn.properties.Architectures).toEqual(['arm64']);
  });

  it.each(functions.map((f) => [f.id, f] as const))(
    '%s logs to its own log group, with retention',
    (_id, fn) => {
      // Prepare
      const template = templates[fn.stack as keyof typeof templates];
      const logGroupId = fn.properties.LoggingConfig?.LogGroup?.Ref as string;

      // Act
      const logGroup = template.toJSON().Resources[logGroupId];

      // Assess
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties.RetentionInDays).toBe(30);
      const sharing = functions.filter(
        (other) => other.properties.LoggingConfig?.LogGroup?.Ref === logGroupId,
      );
      expect(sharing).toHaveLength(1);
    },
  );

  it('gives every log group of the app a retention', () => {
    for (const template of Object.values(templates)) {
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
    }
  });

  it.each(routeList.map((r) => [r.id, r] as const))(
    '%s: 10 s timeout, 1024 MB for password hashing and 512 MB otherwise',
    (_id, route) => {
      apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Description: `${route.method} ${route.path}`,
        Timeout: 10,
        MemorySize: route.nodeModules?.includes('@node-rs/argon2') ? 1024 : 512,
      });
    },
  );

  it.each([
    ...routeList.map((r) => [r.id, `${r.method} ${r.path}`, true] as const),
    ['authorizer', undefined, false] as const,
    ['pollerDispatch', logicalIdOf(api.poller.dispatcher), false] as const,
    ['pollerWorker', logicalIdOf(api.poller.worker), false] as const,
  ])(
    '%s: its environment passes the cold-start check of exactly its capabilities',
    (id, description, http) => {
      // Prepare
      const fn = functions.find((f) =>
        description === undefined
          ? f.id.startsWith('Authorizer') && f.stack === 'api'
          : f.properties.Description === description || (f.id === description && f.stack === 'api'),
      );
      const variables = fn?.properties.Environment.Variables as Record<string, unknown>;
      const sections = configSectionsFor(deploymentOf(id).capabilities, { http });

      // Act
      const check = () => validateSections(environmentAtDeploy(variables), sections);

      // Assess
      expect(check).not.toThrow();
      expect(variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'linkguard',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        JWT_ISSUER: { 'Fn::GetAtt': [logicalIdOf(api.api), 'ApiEndpoint'] },
      });
      // The environment carries only what the capabilities need: no table name without a table.
      const { capabilities } = deploymentOf(id);
      expect(variables.TABLE_NAME !== undefined).toBe(
        capabilities.table !== undefined || capabilities.tableIndex !== undefined,
      );
      expect(variables.SIGNING_KEYS_SECRET_ID !== undefined).toBe(capabilities.signingKeys === 'read');
    },
  );
});
