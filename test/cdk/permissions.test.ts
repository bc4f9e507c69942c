import type { Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/api/routes';
import type { ServiceFunction } from '../../lib/constructs/service-function';
import {
  actionsWithPrefix,
  allStatements,
  asList,
  logicalIdOf,
  statementsOfRole,
  synthesize,
} from './fixture';

const { api, data, apiTemplate } = synthesize();
const templates = { data, api: apiTemplate };

const statementsOf = (fn: ServiceFunction) => statementsOfRole(apiTemplate, logicalIdOf(fn.role as Role));
const routeFunction = (id: string) => {
  const fn = api.functions.get(id);
  if (fn === undefined) throw new Error(`no function for route ${id}`);
  return fn;
};
const authorizerFunction = api.node.findChild('Authorizer') as ServiceFunction;

describe('Permissions', () => {
  describe.each(Object.entries(templates))('Stack: %s', (_name, template) => {
    it('has no wildcard action in any statement (no dynamodb:*, no *)', () => {
      const actions = allStatements(template).flatMap((s) => asList(s.Action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    });

    it('has no statement on Resource "*" but SMS publish, which a deny on every topic narrows', () => {
      const onStar = allStatements(template).filter((s) => asList(s.Resource).includes('*'));
      for (const statement of onStar)
        expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
      if (onStar.length > 0) {
        const denies = allStatements(template).filter(
          (s) => s.Effect === 'Deny' && s.Action === 'sns:Publish',
        );
        expect(denies).toHaveLength(onStar.length);
      }
    });

    it('attaches no managed policy (each role gets only what its function uses)', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('Table actions', () => {
    it.each(routeList.map((r) => [r.id, r] as const))(
      '%s gets exactly the table actions its route lists',
      (id, route) => {
        const granted = actionsWithPrefix(statementsOf(routeFunction(id)), 'dynamodb:');
        expect(granted).toEqual([...route.tableActions].sort());
      },
    );

    it.each(routeList.map((r) => [r.id] as const))('%s reaches indexes by name, with Query only', (id) => {
      // Prepare
      const statements = statementsOf(routeFunction(id));

      // Act
      const onIndexes = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'));

      // Assess
      for (const statement of onIndexes) {
        expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
        expect(JSON.stringify(statement.Resource)).toMatch(/"\/index\/gsi1"/);
      }
      const queries = routeList.find((r) => r.id === id)?.tableActions.includes('dynamodb:Query');
      expect(onIndexes.length > 0).toBe(queries);
    });

    it('gives the authorizer no table permission at all', () => {
      expect(actionsWithPrefix(statementsOf(authorizerFunction), 'dynamodb:')).toEqual([]);
    });

    it('gives the signing-key bootstrap no table permission', () => {
      const policies = allStatements(data).flatMap((s) => asList(s.Action));
      expect(policies.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    });
  });

  describe('Signing keys', () => {
    it.each(routeList.map((r) => [r.id, r.signingKeys] as const))(
      '%s (%s) may read the secret only if its route says so',
      (id, access) => {
        // Prepare
        const statements = statementsOf(routeFunction(id));

        // Act
        const granted = actionsWithPrefix(statements, 'secretsmanager:');

        // Assess
        const onKeys = statements.filter((st) => JSON.stringify(st.Resource).includes('SigningKeysSecret'));
        expect(actionsWithPrefix(onKeys, 'secretsmanager:')).toEqual(
          access === 'read' ? ['secretsmanager:GetSecretValue'] : [],
        );
        const route = routeList.find((r) => r.id === id);
        const onPepper = statements.filter((st) => JSON.stringify(st.Resource).includes('SmsPepper'));
        expect(actionsWithPrefix(onPepper, 'secretsmanager:')).toEqual(
          route?.smsPepper === 'read' ? ['secretsmanager:GetSecretValue'] : [],
        );
        // Nothing else in Secrets Manager.
        expect(granted).toEqual(onKeys.length + onPepper.length > 0 ? ['secretsmanager:GetSecretValue'] : []);
      },
    );

    it.each(routeList.map((r) => [r.id, r.sendsSms === true] as const))(
      '%s may publish SMS (%s) only if its route sends SMS',
      (id, sends) => {
        const statements = statementsOf(routeFunction(id));
        expect(actionsWithPrefix(statements, 'sns:')).toEqual(sends ? ['sns:Publish'] : []);
      },
    );

    it('lets the authorizer read the secret, and only read it', () => {
      expect(actionsWithPrefix(statementsOf(authorizerFunction), 'secretsmanager:')).toEqual([
        'secretsmanager:GetSecretValue',
      ]);
    });
  });
});
