import type { Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/adapters/dynamo/table-definition';
import { publishesAlerts, SECURITY_NOTICE_LEDGER } from '../../functions/manifest/capabilities';
import { deployedRoutes as routeList } from '../../functions/manifest/function-manifest';
import type { ServiceFunction } from '../../lib/constructs/service-function';
import {
  actionsWithPrefix,
  allStatements,
  asList,
  logicalIdOf,
  type Statement,
  statementsOfRole,
  synthesize,
} from './fixture';

const { api, data, apiTemplate } = synthesize({ wechatAppId: 'wx123' });
const templates = { data, api: apiTemplate };

const statementsOf = (fn: ServiceFunction) => statementsOfRole(apiTemplate, logicalIdOf(fn.role as Role));
const routeFunction = (id: string) => {
  const fn = api.functions.get(id);
  if (fn === undefined) throw new Error(`no function for route ${id}`);
  return fn;
};
const authorizerFunction = api.node.findChild('Authorizer') as ServiceFunction;
const { dispatcher, worker } = api.poller;

/** The statements whose resource names something of the data stack (its exports name the construct). */
const on = (statements: Statement[], construct: string) =>
  statements.filter((s) => JSON.stringify(s.Resource).includes(construct));

/** Every SNS ARN, as the template writes it. */
const ANY_SNS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] };

describe('Permissions', () => {
  describe.each(Object.entries(templates))('Stack: %s', (_name, template) => {
    it('has no wildcard action in any statement (no dynamodb:*, no *)', () => {
      const actions = allStatements(template).flatMap((s) => asList(s.Action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    });

    it('has no statement on Resource "*" but SMS publish, and each such policy denies publishing to topics', () => {
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        const statements = policy.Properties.PolicyDocument.Statement as (Statement & {
          Condition?: unknown;
        })[];
        const onStar = statements.filter((s) => asList(s.Resource).includes('*'));
        for (const statement of onStar) {
          expect(statement).toEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' });
        }
        if (onStar.length === 0) continue;
        // Either useSms's plain deny on every topic, or useAlerts's two conditional ones.
        const denies = statements.filter((s) => s.Effect === 'Deny');
        expect(denies.length === 1 || denies.length === 2).toBe(true);
        for (const deny of denies)
          expect(deny).toMatchObject({ Action: 'sns:Publish', Resource: ANY_SNS_ARN });
        if (denies.length === 1) expect(denies[0]?.Condition).toBeUndefined();
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
        const ledger = route.capabilities.securityNotices === 'send' ? SECURITY_NOTICE_LEDGER.actions : [];
        expect(granted).toEqual(
          [...new Set([...(route.capabilities.table?.actions ?? []), ...ledger])].sort(),
        );
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
        const names = asList(statement.Resource).map((r) => JSON.stringify(r).match(/\/index\/(\w+)"/)?.[1]);
        expect(names).toEqual(tableDefinition.globalSecondaryIndexes.map((gsi) => gsi.indexName));
      }
      const queries =
        routeList.find((r) => r.id === id)?.capabilities.table?.actions.includes('dynamodb:Query') ?? false;
      expect(onIndexes.length > 0).toBe(queries);
    });

    it('gives the authorizer one table permission: BatchGetItem, for the revocation list', () => {
      expect(actionsWithPrefix(statementsOf(authorizerFunction), 'dynamodb:')).toEqual([
        'dynamodb:BatchGetItem',
      ]);
    });

    it('gives the signing-key bootstrap no table permission', () => {
      const policies = allStatements(data).flatMap((s) => asList(s.Action));
      expect(policies.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    });
  });

  describe('Signing keys', () => {
    it.each(routeList.map((r) => [r.id, r.capabilities.signingKeys ?? 'none'] as const))(
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
        const onPepper = on(statements, 'SmsPepper');
        expect(actionsWithPrefix(onPepper, 'secretsmanager:')).toEqual(
          route?.capabilities.smsPepper === 'read' ? ['secretsmanager:GetSecretValue'] : [],
        );
        const onPlaid = on(statements, 'PlaidSecret');
        expect(actionsWithPrefix(onPlaid, 'secretsmanager:')).toEqual(
          route?.capabilities.plaid === 'call' ? ['secretsmanager:GetSecretValue'] : [],
        );
        const onWeChat = on(statements, 'WeChatAppSecret');
        expect(actionsWithPrefix(onWeChat, 'secretsmanager:')).toEqual(
          route?.capabilities.providers === 'verify' ? ['secretsmanager:GetSecretValue'] : [],
        );
        // Nothing else in Secrets Manager.
        const secretStatements = statements.filter((st) =>
          JSON.stringify(st.Action).includes('secretsmanager:'),
        );
        expect(secretStatements).toHaveLength(
          onKeys.length + onPepper.length + onPlaid.length + onWeChat.length,
        );
        expect(granted).toEqual(secretStatements.length > 0 ? ['secretsmanager:GetSecretValue'] : []);
      },
    );

    it.each(
      routeList.map((r) => [r.id, r.capabilities.sms === 'send' || publishesAlerts(r.capabilities)] as const),
    )('%s may publish SMS (%s) only if its route sends SMS or alerts', (id, sends) => {
      const statements = statementsOf(routeFunction(id));
      const publish = statements.filter((st) => asList(st.Action).includes('sns:Publish'));
      expect(publish.length > 0).toBe(sends);
    });

    it.each(routeList.map((r) => [r.id, r.capabilities.emailSubscriptions === 'manage'] as const))(
      '%s may manage e-mail subscriptions (%s) only if its route says so, on the alert topic only',
      (id, manages) => {
        const reads = routeList.find((r) => r.id === id)?.capabilities.emailSubscriptions === 'read';
        // Prepare
        const statements = statementsOf(routeFunction(id));

        // Act
        const subscriptions = statements.filter((st) =>
          /sns:(Subscribe|Unsubscribe)/.test(JSON.stringify(st.Action)),
        );

        // Assess
        const publishes = statements.some((st) => asList(st.Action).includes('sns:Publish'));
        expect(actionsWithPrefix(statements, 'sns:')).toEqual(
          [
            ...(publishes ? ['sns:Publish'] : []),
            ...(manages ? ['sns:Subscribe', 'sns:Unsubscribe'] : []),
            ...(reads ? ['sns:GetSubscriptionAttributes'] : []),
          ].sort(),
        );
        if (!manages) return;
        const topic = { 'Fn::ImportValue': expect.stringContaining('AlertsTopic') };
        expect(subscriptions).toEqual([
          {
            Effect: 'Allow',
            Action: 'sns:Subscribe',
            Resource: topic,
            Condition: { StringEquals: { 'sns:Protocol': 'email' } },
          },
          {
            Effect: 'Allow',
            Action: 'sns:Unsubscribe',
            Resource: [
              topic,
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':sns:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':linkguard-dev-alerts:*',
                  ],
                ],
              },
            ],
          },
        ]);
      },
    );

    it('gives the authorizer no secret at all: it verifies with the published public keys', () => {
      expect(actionsWithPrefix(statementsOf(authorizerFunction), 'secretsmanager:')).toEqual([]);
    });
  });

  describe('Plaid access-token key', () => {
    it.each(routeList.map((r) => [r.id, r.capabilities.tokenKey ?? 'none'] as const))(
      '%s (%s) gets exactly the KMS action its route names, on the token key only',
      (id, use) => {
        // Prepare
        const statements = statementsOf(routeFunction(id));

        // Act
        const kms = statements.filter((st) => JSON.stringify(st.Action).includes('kms:'));

        // Assess
        const expected = {
          none: [],
          encrypt: ['kms:Encrypt'],
          decrypt: ['kms:Decrypt'],
          both: ['kms:Decrypt', 'kms:Encrypt'],
        }[use];
        expect(actionsWithPrefix(kms, 'kms:')).toEqual(expected);
        for (const statement of kms) expect(JSON.stringify(statement.Resource)).toContain('PlaidTokenKey');
      },
    );

    it('lets the worker decrypt and never encrypt; the dispatcher and authorizer get no KMS action', () => {
      expect(actionsWithPrefix(statementsOf(worker), 'kms:')).toEqual(['kms:Decrypt']);
      expect(actionsWithPrefix(statementsOf(dispatcher), 'kms:')).toEqual([]);
      expect(actionsWithPrefix(statementsOf(authorizerFunction), 'kms:')).toEqual([]);
    });
  });

  describe('Alert topic and phones', () => {
    const denies = (fn: ServiceFunction) =>
      (statementsOf(fn) as (Statement & { Condition?: Record<string, Record<string, unknown>> })[]).filter(
        (st) => st.Effect === 'Deny',
      );

    it.each([
      ...routeList
        .filter((r) => publishesAlerts(r.capabilities))
        .map((r) => [r.id, routeFunction(r.id)] as const),
      ['poller worker', worker] as const,
    ])('%s may publish to phones and its own alert topic only (two conditional denies)', (_id, fn) => {
      // Prepare
      const statements = statementsOf(fn);

      // Act
      const sns = statements.filter((st) => JSON.stringify(st.Action).includes('sns:Publish'));

      // Assess: allow on * (phones have no ARN), and the denies that carve out our topic only.
      expect(sns.filter((st) => st.Effect === 'Allow')).toEqual([
        { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' },
      ]);
      expect(denies(fn)).toEqual([
        {
          Effect: 'Deny',
          Action: 'sns:Publish',
          Resource: ANY_SNS_ARN,
          Condition: { StringNotEquals: { 'aws:ResourceTag/linkguard:alert-topic': 'dev' } },
        },
        {
          Effect: 'Deny',
          Action: 'sns:Publish',
          Resource: ANY_SNS_ARN,
          Condition: { StringNotEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
    });

    it.each(
      routeList
        .filter((r) => r.capabilities.sms === 'send' && !publishesAlerts(r.capabilities))
        .map((r) => [r.id] as const),
    )('%s texts phones only: one unconditional deny on every topic', (id) => {
      expect(denies(routeFunction(id))).toEqual([
        { Effect: 'Deny', Action: 'sns:Publish', Resource: ANY_SNS_ARN },
      ]);
    });

    it('tags the alert topic with the stage the conditions name', () => {
      data.hasResourceProperties('AWS::SNS::Topic', {
        Tags: [{ Key: 'linkguard:alert-topic', Value: 'dev' }],
      });
    });

    it('hands ALERT_TOPIC_ARN to exactly the functions that publish alerts or manage e-mail subscriptions', () => {
      const withTopic = Object.entries(apiTemplate.findResources('AWS::Lambda::Function'))
        .filter(([, fn]) => fn.Properties.Environment?.Variables?.ALERT_TOPIC_ARN !== undefined)
        .map(([logicalId]) => logicalId)
        .sort();
      expect(withTopic).toEqual(
        [
          ...routeList
            .filter((r) => publishesAlerts(r.capabilities) || r.capabilities.emailSubscriptions !== undefined)
            .map((r) => logicalIdOf(routeFunction(r.id))),
          logicalIdOf(worker),
          logicalIdOf(api.webhooks.worker),
          logicalIdOf(api.accountDeletion.worker),
        ].sort(),
      );
    });
  });

  describe('Poller', () => {
    it('lets the dispatcher query the next-check index (gsi2) and read nothing of the table but the breaker (POLLER#)', () => {
      // Prepare
      const statements = statementsOf(dispatcher);

      // Act
      const dynamo = statements.filter((st) => JSON.stringify(st.Action).includes('dynamodb:'));
      const query = dynamo.filter((st) => st.Action === 'dynamodb:Query');
      const get = dynamo.filter((st) => JSON.stringify(st.Action).includes('dynamodb:GetItem'));

      // Assess
      expect(dynamo).toHaveLength(2);
      const resources = asList(query[0]?.Resource).map((r) => JSON.stringify(r));
      expect(resources).toHaveLength(1);
      expect(resources[0]).toContain('"/index/gsi2"');
      expect(asList(get[0]?.Action)).toEqual(['dynamodb:GetItem']);
      const condition = JSON.stringify((get[0] as { Condition?: unknown } | undefined)?.Condition);
      expect(condition).toContain('POLLER#*');
      expect(condition).not.toContain('ITEM#');
    });

    it('lets the dispatcher send to the check queue only, and nothing of SNS, KMS or Secrets Manager', () => {
      const statements = statementsOf(dispatcher);
      const sqs = statements.filter((st) => JSON.stringify(st.Action).includes('sqs:'));
      expect(sqs).toEqual([
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalIdOf(api.poller.queue), 'Arn'] },
        },
      ]);
      for (const prefix of ['sns:', 'kms:', 'secretsmanager:']) {
        expect(actionsWithPrefix(statements, prefix)).toEqual([]);
      }
    });

    it('lets the worker read its Items, the user and the ledger, and write them back', () => {
      expect(actionsWithPrefix(statementsOf(worker), 'dynamodb:')).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
    });

    it('lets the worker read the Plaid secret and no other secret', () => {
      const statements = statementsOf(worker);
      const secrets = statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'));
      expect(secrets).toHaveLength(1);
      expect(secrets[0]?.Action).toBe('secretsmanager:GetSecretValue');
      expect(JSON.stringify(secrets[0]?.Resource)).toContain('PlaidSecret');
    });

    it('lets the worker consume the check queue, and send to no queue', () => {
      const sqs = statementsOf(worker).filter((st) => JSON.stringify(st.Action).includes('sqs:'));
      expect(actionsWithPrefix(sqs, 'sqs:')).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ]);
      for (const statement of sqs) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.poller.queue), 'Arn'] });
      }
    });

    it.each(
      routeList
        .filter((r) => r.id !== 'plaidWebhook')
        .map((r) => [r.id, r.capabilities.deletionQueue === 'send'] as const),
    )('%s may send to the deletion queue (%s) and to no other queue', (id, sends) => {
      const statements = statementsOf(routeFunction(id));
      expect(actionsWithPrefix(statements, 'sqs:')).toEqual(sends ? ['sqs:SendMessage'] : []);
      for (const statement of statements.filter((s) => JSON.stringify(s.Action).includes('sqs:')))
        expect(statement.Resource).toEqual({
          'Fn::GetAtt': [logicalIdOf(api.accountDeletion.queue), 'Arn'],
        });
    });

    it('plaidWebhook may only send to the webhook queue', () => {
      const sqs = statementsOf(routeFunction('plaidWebhook')).filter((st) =>
        JSON.stringify(st.Action).includes('sqs:'),
      );
      expect(sqs).toEqual([
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalIdOf(api.webhooks.queue), 'Arn'] },
        },
      ]);
    });
  });
});
