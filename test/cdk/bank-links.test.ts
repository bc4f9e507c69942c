import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { publishesAlerts } from '../../functions/manifest/capabilities';
import {
  backgroundDeployments,
  deployedRoutes as routeList,
} from '../../functions/manifest/function-manifest';
import { PLAID_WEBHOOK_PATH } from '../../lib/api-stack';
import {
  MAX_RECEIVE_COUNT,
  QUEUE_VISIBILITY_TIMEOUT,
  STUCK_PERIOD,
  STUCK_PERIODS,
  WORKER_BATCH_SIZE,
  WORKER_PLAID_TIMEOUT_MS,
  WORKER_TIMEOUT,
} from '../../lib/constructs/bank-link-poller';
import { ServiceFunction } from '../../lib/constructs/service-function';
import { logicalIdOf, synthesize } from './fixture';

const { api, stateful, data, apiTemplate } = synthesize();
const resources = apiTemplate.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const propertiesOf = (logicalId: string) => resources[logicalId]?.Properties ?? {};
const environmentOf = (logicalId: string) =>
  (propertiesOf(logicalId).Environment as { Variables: Record<string, unknown> }).Variables;
const ids = {
  queue: logicalIdOf(api.poller.queue),
  deadLetters: logicalIdOf(api.poller.deadLetterQueue),
  dispatcher: logicalIdOf(api.poller.dispatcher),
  worker: logicalIdOf(api.poller.worker),
};
const routeFunctionId = (routeId: string) => logicalIdOf(api.functions.get(routeId) ?? api);

describe('Bank links: stateful resources', () => {
  describe('Resource: Plaid token key', () => {
    it('rotates yearly, is retained, and has an alias naming the stage', () => {
      data.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      data.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/linkguard-dev-plaid-tokens',
        TargetKeyId: { 'Fn::GetAtt': [logicalIdOf(stateful.tokenKey), 'Arn'] },
      });
    });

    it('is the only customer-managed key', () => {
      data.resourceCountIs('AWS::KMS::Key', 1);
    });
  });

  describe('Resource: Plaid secret', () => {
    it('starts as a generated placeholder (no value in the template) and is retained', () => {
      const secret = data.toJSON().Resources[logicalIdOf(stateful.plaidSecret)];
      expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(secret.Properties.GenerateSecretString).toBeDefined();
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.Description).toMatch(/Plaid API secret for the sandbox environment/);
    });
  });

  describe('Resource: alert topic', () => {
    const topicId = logicalIdOf(stateful.alertTopic.topic);

    it('is named after the stage (IAM names its subscriptions by that name)', () => {
      data.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'linkguard-dev-alerts' });
    });

    it('is encrypted with the AWS-managed SNS key and retained', () => {
      const topic = data.toJSON().Resources[topicId];
      expect(topic).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(topic.Properties.KmsMasterKeyId['Fn::Join'][1].at(-1)).toBe(':alias/aws/sns');
      data.resourceCountIs('AWS::SNS::Topic', 1);
    });

    it('refuses publishing without TLS (aws:SecureTransport false is denied)', () => {
      data.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Principal: Match.anyValue(),
              Resource: { Ref: topicId },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('names its ARN and the Plaid secret in the outputs', () => {
      data.hasOutput('AlertTopicArn', { Value: { Ref: topicId } });
      data.hasOutput('PlaidSecretArn', { Value: { Ref: logicalIdOf(stateful.plaidSecret) } });
    });
  });
});

describe('Bank links: the poller', () => {
  describe('Resource: schedule', () => {
    it('runs the dispatcher every 15 minutes by default', () => {
      apiTemplate.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(15 minutes)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.dispatcher, 'Arn'] } })],
      });
      apiTemplate.resourceCountIs('AWS::Events::Rule', 1);
    });

    it('lets EventBridge, from that rule only, invoke the dispatcher', () => {
      const [ruleId] = Object.keys(apiTemplate.findResources('AWS::Events::Rule'));
      apiTemplate.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [ids.dispatcher, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    });

    it('follows pollerScheduleMinutes', () => {
      const { apiTemplate: other } = synthesize({ pollerScheduleMinutes: '30' });
      other.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    });

    it('does not let Lambda retry a failed dispatch (the next run is the retry)', () => {
      apiTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: ids.dispatcher },
        MaximumRetryAttempts: 0,
      });
    });
  });

  describe('Resource: queues', () => {
    it('sends a message that failed five receives to the DLQ', () => {
      expect(MAX_RECEIVE_COUNT).toBe(5);
      expect(propertiesOf(ids.queue).RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] },
        maxReceiveCount: 5,
      });
    });

    it('hides a message in flight for at least six worker timeouts', () => {
      expect(propertiesOf(ids.queue).VisibilityTimeout).toBe(QUEUE_VISIBILITY_TIMEOUT.toSeconds());
      expect(QUEUE_VISIBILITY_TIMEOUT.toSeconds()).toBeGreaterThanOrEqual(6 * WORKER_TIMEOUT.toSeconds());
    });

    it('keeps dead letters 14 days', () => {
      expect(propertiesOf(ids.deadLetters).MessageRetentionPeriod).toBe(14 * 86400);
    });

    it.each([
      ['check queue', ids.queue],
      ['DLQ', ids.deadLetters],
    ])('encrypts the %s (SSE) and refuses requests without TLS', (_name, queueId) => {
      expect(propertiesOf(queueId).SqsManagedSseEnabled).toBe(true);
      apiTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('Resource: worker', () => {
    it('takes the check queue ten at a time, reports partial failures, at most pollerConcurrency at once', () => {
      // The poller's worker, the webhook worker and the account-deletion worker.
      apiTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
      apiTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        FunctionName: { Ref: ids.worker },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.anyValue(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 16 },
      });
    });

    it('follows pollerConcurrency, with no reserved concurrency taken from the account', () => {
      const { apiTemplate: other, api: otherApi } = synthesize({ pollerConcurrency: '40' });
      other.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        ScalingConfig: { MaximumConcurrency: 40 },
      });
      const worker = other.toJSON().Resources[logicalIdOf(otherApi.poller.worker)];
      expect(worker.Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('ships no Plaid client: the gateway speaks fetch and takes only types from plaid', () => {
      const plaidRoutes = routeList.filter((r) => r.capabilities.plaid === 'call');
      expect(plaidRoutes.length).toBeGreaterThan(0);
      expect(plaidRoutes.every((r) => !r.nodeModules?.includes('plaid'))).toBe(true);
      expect('nodeModules' in backgroundDeployments.pollerWorker).toBe(false);
    });

    it('times out after 60 s, with Plaid calls cut at 5 s so a batch of ten fits', () => {
      const properties = propertiesOf(ids.worker);
      expect(properties.Timeout).toBe(60);
      expect(environmentOf(ids.worker).PLAID_TIMEOUT_MS).toBe(String(WORKER_PLAID_TIMEOUT_MS));
      expect(WORKER_BATCH_SIZE * WORKER_PLAID_TIMEOUT_MS).toBeLessThan(WORKER_TIMEOUT.toMilliseconds());
    });

    it('gets the table, Plaid, the token key, the alert topic and SMS over SNS', () => {
      const environment = environmentOf(ids.worker);
      expect(environment).toMatchObject({
        TABLE_NAME: expect.anything(),
        PLAID_ENV: 'sandbox',
        PLAID_SECRET_ID: expect.anything(),
        PLAID_WEBHOOK_URL: expect.anything(),
        TOKEN_KEY_ID: expect.anything(),
        ALERT_TOPIC_ARN: expect.anything(),
        SMS_TRANSPORT: 'sns',
        POLLER_SHARDS: '16',
      });
      expect(JSON.stringify(environment.PLAID_SECRET_ID)).toContain('PlaidSecret');
      expect(JSON.stringify(environment.TOKEN_KEY_ID)).toContain('PlaidTokenKey');
      expect(JSON.stringify(environment.ALERT_TOPIC_ARN)).toContain('AlertsTopic');
    });
  });

  describe('Resource: dispatcher', () => {
    it('runs up to 5 minutes with 512 MB', () => {
      expect(propertiesOf(ids.dispatcher)).toMatchObject({ Timeout: 300, MemorySize: 512 });
    });

    it('gets the table, the queue URL and the shard count, and nothing of Plaid or SNS', () => {
      const environment = environmentOf(ids.dispatcher);
      expect(environment).toMatchObject({
        CHECK_QUEUE_URL: { Ref: ids.queue },
        POLLER_SHARDS: '16',
      });
      expect(environment.TABLE_NAME).toBeDefined();
      const names = Object.keys(environment);
      expect(names.filter((n) => /^(PLAID_|TOKEN_KEY|ALERT_TOPIC|SMS_TRANSPORT)/.test(n))).toEqual([]);
    });
  });

  describe('Alarms', () => {
    it('fires when the DLQ holds a message', () => {
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.deadLetters, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it.each([
      ['worker', ids.worker],
      ['dispatcher', ids.dispatcher],
    ])('fires on any %s error within 15 minutes', (_name, functionId) => {
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
        Statistic: 'Sum',
        Period: 900,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('fires when the oldest check has waited an hour', () => {
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
        Threshold: 3600,
      });
    });

    it('counts the checks that find an Item in error, from the worker log', () => {
      const workerLogs = (propertiesOf(ids.worker).LoggingConfig as { LogGroup: unknown }).LogGroup;
      apiTemplate.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: workerLogs,
        FilterPattern: '{ ($.message = "item checked") && ($.status = "error") }',
        MetricTransformations: [
          { MetricNamespace: 'LinkGuard/dev', MetricName: 'PlaidItemChecksInError', MetricValue: '1' },
        ],
      });
    });

    it('fires when error checks were seen in every period of a day', () => {
      expect(STUCK_PERIOD.toSeconds() * STUCK_PERIODS).toBe(86400);
      apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'LinkGuard/dev',
        MetricName: 'PlaidItemChecksInError',
        Statistic: 'Sum',
        Period: STUCK_PERIOD.toSeconds(),
        EvaluationPeriods: STUCK_PERIODS,
        DatapointsToAlarm: STUCK_PERIODS,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });
  });
});

describe('Bank links: the Plaid routes', () => {
  it.each(routeList.map((r) => [r.id, r] as const))(
    '%s gets the Plaid, key and alert settings its route names',
    (id, route) => {
      // Act
      const environment = environmentOf(routeFunctionId(id));

      // Assess
      expect(environment.PLAID_SECRET_ID !== undefined).toBe(route.capabilities.plaid === 'call');
      expect(environment.PLAID_ENV !== undefined).toBe(route.capabilities.plaid === 'call');
      expect(environment.TOKEN_KEY_ID !== undefined).toBe(route.capabilities.tokenKey !== undefined);
      expect(environment.ALERT_TOPIC_ARN !== undefined).toBe(
        publishesAlerts(route.capabilities) || route.capabilities.emailSubscriptions !== undefined,
      );
      if (publishesAlerts(route.capabilities)) expect(environment.SMS_TRANSPORT).toBe('sns');
    },
  );

  it('points Plaid webhooks at the API unless told otherwise, and has no client id until given one', () => {
    const environment = environmentOf(routeFunctionId('plaidLinkToken'));
    expect(environment.PLAID_WEBHOOK_URL).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(api.api), 'ApiEndpoint'] }, PLAID_WEBHOOK_PATH]],
    });
    expect(environment.PLAID_CLIENT_ID).toBeUndefined();
  });

  it('hands the configured client id, environment, Link options and webhook URL to every Plaid function', () => {
    // Prepare
    const { apiTemplate: other, api: otherApi } = synthesize({
      plaidClientId: '5f0c0ffee0c0ffee0c0ffee0',
      plaidEnv: 'production',
      plaidProducts: 'transactions,auth',
      plaidCountryCodes: 'US,CA',
      plaidClientName: 'Example Money',
      plaidWebhookUrl: 'https://api.example.com/v1/plaid/webhook',
    });
    const plaidFunctions = [
      ...routeList
        .filter((r) => r.capabilities.plaid === 'call')
        .map((r) => otherApi.functions.get(r.id) ?? otherApi),
      otherApi.poller.worker,
    ];

    // Act
    const environments = plaidFunctions.map(
      (fn) => other.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables,
    );

    // Assess
    expect(environments.length).toBeGreaterThan(1);
    for (const environment of environments) {
      expect(environment).toMatchObject({
        PLAID_CLIENT_ID: '5f0c0ffee0c0ffee0c0ffee0',
        PLAID_ENV: 'production',
        PLAID_PRODUCTS: 'transactions,auth',
        PLAID_COUNTRY_CODES: 'US,CA',
        PLAID_CLIENT_NAME: 'Example Money',
        PLAID_WEBHOOK_URL: 'https://api.example.com/v1/plaid/webhook',
      });
    }
  });

  it('gives every function the same shard count, which the Item writers and the dispatcher must share', () => {
    const { apiTemplate: other } = synthesize({ pollerShards: '32' });
    const functions = servingFunctions(other);
    expect(functions.length).toBeGreaterThanOrEqual(30);
    for (const fn of functions) expect(fn.Environment?.Variables?.POLLER_SHARDS).toBe('32');
  });
});

describe('Method: ServiceFunction.useAlerts', () => {
  it('refuses to be combined with useSms, whose plain deny would block the alert topic', () => {
    // Prepare
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Alone');
    const fn = new ServiceFunction(stack, 'Fn', {
      handler: 'plaid-item-repair',
      description: 'test',
      logRetention: RetentionDays.ONE_DAY,
      logLevel: 'INFO',
    });

    // Act
    fn.useAlerts(stateful.alertTopic, {});

    // Assess
    expect(() => fn.useSms({})).toThrow(/either useSms or useAlerts/);
  });
});

/** The API's functions that serve requests or work the queue: not the deploy-time public-key publisher and its provider. */
const servingFunctions = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => !id.startsWith('PublicSigningKeys'))
    .map(([, resource]) => resource.Properties as { Environment?: { Variables?: Record<string, unknown> } });
