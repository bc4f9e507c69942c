import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { backgroundDeployments, deployedRoutes } from '../../functions/manifest/function-manifest';
import { HANDLER_TAG } from '../../lib/constructs/service-function';
import { logicalIdOf, type Statement, synthesize } from './fixture';

const { data, apiTemplate, stateful } = synthesize({ wechatAppId: 'wx123' });

/** The signing-key secret's logical id in the data stack; the API stack names it through an import. */
const secretId = logicalIdOf(stateful.signingKeys.node.defaultChild ?? stateful.signingKeys);
const namesSecret = (statement: Statement) =>
  JSON.stringify(statement.Resource).includes(secretId) ||
  JSON.stringify(statement.Resource).includes('SigningKeysSecret');

/** The handler of every function whose role may read the signing-key secret, in one template. */
function readersOfTheSecret(template: Template): string[] {
  const roles = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    const reads = statements.some(
      (s) =>
        s.Effect === 'Allow' &&
        [s.Action].flat().some((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:*') &&
        namesSecret(s),
    );
    if (!reads) continue;
    for (const role of policy.Properties.Roles as { Ref: string }[]) roles.add(role.Ref);
  }
  const handlers: string[] = [];
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const roleRef = (fn.Properties.Role as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
    if (roleRef === undefined || !roles.has(roleRef)) continue;
    const tags = (fn.Properties.Tags ?? []) as { Key: string; Value: string }[];
    handlers.push(tags.find((t) => t.Key === HANDLER_TAG)?.Value ?? `untagged function (${roleRef})`);
  }
  return handlers;
}

/** The environment of the function running `handler`. */
function environmentOf(handler: string): Record<string, unknown> {
  const fn = Object.values(apiTemplate.findResources('AWS::Lambda::Function')).find((f) =>
    ((f.Properties.Tags ?? []) as { Key: string; Value: string }[]).some(
      (t) => t.Key === HANDLER_TAG && t.Value === handler,
    ),
  );
  if (fn === undefined) throw new Error(`no function runs ${handler}`);
  return (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

const TOKEN_ISSUERS = deployedRoutes
  .filter((r) => r.capabilities.signingKeys === 'read')
  .map((r) => r.handler);
/** Deploy-time custom resources, behind no route: they write the first key and publish the public halves. */
const KEY_CUSTODIANS = ['signing-key-bootstrap', 'public-jwks-publisher'];

describe('Key separation: the private signing keys are readable by the token issuers only (issue 10 item 5)', () => {
  it('lets no function but the token issuers (and the deploy-time key custodians) read the private key secret', () => {
    // Act
    const readers = [...readersOfTheSecret(data), ...readersOfTheSecret(apiTemplate)];

    // Assess
    expect(TOKEN_ISSUERS).toEqual(expect.arrayContaining(['register', 'login', 'oauth-token', 'sms-verify']));
    expect([...new Set(readers)].sort()).toEqual([...new Set([...TOKEN_ISSUERS, ...KEY_CUSTODIANS])].sort());
    expect(readers).not.toContain('authorizer');
    expect(readers).not.toContain('jwks');
  });

  it.each([
    ['authorizer', backgroundDeployments.authorizer.capabilities],
    ['jwks', deployedRoutes.find((r) => r.handler === 'jwks')?.capabilities],
  ])(
    'gives %s the published public JWKS in its environment, and no secret at all',
    (handler, capabilities) => {
      // Act
      const environment = environmentOf(handler);

      // Assess
      expect(capabilities).toMatchObject({ publicKeys: 'read' });
      expect(capabilities).not.toHaveProperty('signingKeys');
      expect(environment.PUBLIC_JWKS).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^PublicSigningKeys/), 'Jwks'],
      });
      expect(environment).not.toHaveProperty('SIGNING_KEYS_SECRET_ID');
    },
  );

  it('republishes the public keys when keysRevision changes (key rotation)', () => {
    // Act
    const resources = (template: Template) =>
      Object.values(template.findResources('Custom::PublicSigningKeys')).map((r) => r.Properties.Revision);
    const rotated = synthesize({ keysRevision: '7' }).apiTemplate;

    // Assess
    expect(resources(apiTemplate)).toEqual(['']);
    expect(resources(rotated)).toEqual(['7']);
  });
});
