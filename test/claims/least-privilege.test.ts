import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { HANDLER_TAG } from '../../lib/constructs/service-function';
import { asList, type Statement, statementsOfRole, synthesize } from '../cdk/fixture';
import { OUTSIDE_FUNCTIONS, readRecordedCalls } from '../support/aws-calls';

/**
 * Least privilege proven by behaviour: the AWS calls each function really made during the
 * integration and e2e runs (recorded by `test/support/aws-calls.ts`) against what the
 * synthesized CloudFormation template lets that function's role do.
 *
 * - used ⊆ granted, for every function and every recorded service: a call without a grant
 *   fails in AWS, so it fails here.
 * - granted ⊆ used, for every function, over the whole suite: a grant nothing uses is an
 *   over-grant. Only where the local runtime makes the call through the AWS SDK can the suite
 *   see it; {@link LOCAL_STAND_INS} and {@link NOT_SEEN} name the rest, each with its reason.
 */

/** The services whose calls are recorded, by IAM prefix. */
const SERVICES = ['dynamodb', 'sns', 'sqs', 'kms', 'secretsmanager'] as const;

/**
 * Grants the local runtime cannot exercise because it swaps the AWS service for a local
 * stand-in, so a recorded call cannot exist. Each is still checked one way: no function may
 * make such a call without its grant.
 */
const LOCAL_STAND_INS: Record<string, string> = {
  'secretsmanager:GetSecretValue':
    'secrets are files under .data/ locally (SIGNING_KEYS_FILE, SMS_PEPPER_FILE, PLAID_SECRET)',
  'kms:Encrypt': 'data keys are wrapped by the local key file (TOKEN_KEY_FILE)',
  'kms:Decrypt': 'data keys are unwrapped by the local key file (TOKEN_KEY_FILE)',
};

/**
 * Grants of one function the suite does not see used, each with the reason. An entry that is
 * no longer granted, or that a test now uses, fails the check below: remove it then.
 */
const NOT_SEEN: Record<string, Record<string, string>> = {
  me: {
    'sns:GetSubscriptionAttributes':
      'whether the alert email confirmed is read from the outbox locally (no ALERT_TOPIC_ARN); unit-tested with the SNS client mocked',
  },
  'me-delete': {
    'sns:Subscribe':
      'emailSubscriptions also grants Subscribe; deletion only unsubscribes, and in the outbox locally',
    'sns:Unsubscribe': 'the alert email is unsubscribed in the outbox locally (no ALERT_TOPIC_ARN)',
  },
  'apple-notifications': {
    'sns:Subscribe':
      'email-enabled subscribes the alert email again, in the outbox locally (no ALERT_TOPIC_ARN)',
    'sns:Unsubscribe':
      'email-disabled unsubscribes the alert email, in the outbox locally (no ALERT_TOPIC_ARN)',
  },
  'account-deletion-worker': {
    'sns:Subscribe':
      'emailSubscriptions also grants Subscribe; the worker only unsubscribes, and in the outbox locally',
    'sns:Unsubscribe': 'UNTESTED: a subscription SNS refused to remove in the request, removed by the worker',
  },
  'me-update': {
    'sns:Subscribe': 'the alert email is subscribed in the outbox locally (no ALERT_TOPIC_ARN)',
    'sns:Unsubscribe': 'the alert email is unsubscribed in the outbox locally (no ALERT_TOPIC_ARN)',
  },
  'password-reset': {
    'sns:Publish': 'its password_reset notice goes to the outbox in the reset tests',
  },
  'password-reset-email': {
    'sns:Publish': 'the reset link is mailed through the outbox in the tests (no ALERT_TOPIC_ARN)',
    'sns:GetSubscriptionAttributes':
      'whether the email confirmed is read from the outbox locally (no ALERT_TOPIC_ARN)',
  },
  'password-reset-link': {
    'sns:Publish': 'its password_reset notice goes to the outbox in the reset tests',
  },
  'plaid-item-repair': {
    'sns:Publish': 'its alerts go to the outbox in the tests that repair Items',
    'dynamodb:DeleteItem': 'UNTESTED: releasing an alert claim after a failed send, on a repair',
  },
  'plaid-webhook-worker': {
    'sns:Publish': 'its alerts go to the outbox in the webhook tests',
    'dynamodb:DeleteItem': 'UNTESTED: releasing an alert claim after a failed send, on a webhook',
  },
};

/**
 * What CDK grants a function for an SQS event source: the Lambda service polls the queue with
 * the function's role, so the code never makes these calls itself.
 */
const SQS_EVENT_SOURCE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

const directory = inject('awsCallsDirectory');
const recordedFiles = readRecordedCalls(directory);

/** What each function (by handler) really called, over the whole suite. */
const used = new Map<string, Set<string>>();
for (const file of recordedFiles) {
  for (const [fn, actions] of Object.entries(file.calls)) {
    if (fn === OUTSIDE_FUNCTIONS) continue;
    const set = used.get(fn) ?? new Set<string>();
    for (const action of Object.keys(actions)) set.add(action);
    used.set(fn, set);
  }
}

/** What each function's role may do, read from the synthesized template. */
const { apiTemplate } = synthesize({ wechatAppId: 'wx123' });
const granted = new Map<string, Set<string>>();
/** Functions the Lambda service feeds from an SQS queue (event source mappings), by handler. */
const polledBySqs = new Set<string>();
const mappings = Object.values(apiTemplate.findResources('AWS::Lambda::EventSourceMapping'));
for (const [logicalId, fn] of Object.entries(apiTemplate.findResources('AWS::Lambda::Function'))) {
  const tags = (fn.Properties.Tags ?? []) as { Key: string; Value: string }[];
  const handler = tags.find((tag) => tag.Key === HANDLER_TAG)?.Value;
  if (handler === undefined) continue;
  if (mappings.some((m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId })))
    polledBySqs.add(handler);
}
for (const fn of Object.values(apiTemplate.findResources('AWS::Lambda::Function'))) {
  const tags = (fn.Properties.Tags ?? []) as { Key: string; Value: string }[];
  const handler = tags.find((tag) => tag.Key === HANDLER_TAG)?.Value;
  if (handler === undefined) continue;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = statementsOfRole(apiTemplate, roleId).filter((s: Statement) => s.Effect === 'Allow');
  const actions = statements
    .flatMap((s) => asList(s.Action))
    .filter((action) => SERVICES.some((service) => action.startsWith(`${service}:`)));
  granted.set(handler, new Set(actions));
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('Least privilege, from the calls the code makes', () => {
  it('has recordings from every integration and e2e test file of this run', () => {
    // Prepare
    const expected = ['test/integration', 'test/e2e']
      .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)))
      .filter((file) => file.endsWith('.test.ts'))
      .sort();

    // Act
    const recorded = recordedFiles.map((file) => file.testFile).sort();

    // Assess: without the whole suite, an unused grant could just be an unrun test.
    expect(recorded, 'run the whole suite (npm test): the integration and e2e projects').toEqual(expected);
  });

  it('finds every tagged function of the template, and every recorded caller among them', () => {
    expect(granted.size).toBeGreaterThanOrEqual(30);
    expect(sorted(used.keys()).filter((fn) => !granted.has(fn))).toEqual([]);
  });

  it('lists in NOT_SEEN only grants that exist and that no test uses', () => {
    // Act
    const stale = Object.entries(NOT_SEEN).flatMap(([handler, actions]) =>
      Object.keys(actions)
        .filter((action) => !granted.get(handler)?.has(action) || used.get(handler)?.has(action))
        .map((action) => `${handler} ${action}`),
    );

    // Assess
    expect(stale, 'remove these entries from NOT_SEEN').toEqual([]);
  });

  it('knows which functions SQS feeds, by their event source mappings', () => {
    expect(sorted(polledBySqs)).toEqual(['account-deletion-worker', 'plaid-webhook-worker', 'poller-worker']);
  });

  it.each(sorted(granted.keys()))('%s makes only calls its role allows (used ⊆ granted)', (handler) => {
    // Prepare
    const allowed = granted.get(handler) ?? new Set<string>();

    // Act
    const unauthorized = sorted(used.get(handler) ?? []).filter((action) => !allowed.has(action));

    // Assess
    expect(unauthorized, `${handler} calls these without a grant; each would fail in AWS`).toEqual([]);
  });

  it.each(sorted(granted.keys()))('%s is granted only what it uses (granted ⊆ used)', (handler) => {
    // Prepare
    const calls = used.get(handler) ?? new Set<string>();

    // Act
    const unused = sorted(granted.get(handler) ?? []).filter(
      (action) =>
        !calls.has(action) &&
        LOCAL_STAND_INS[action] === undefined &&
        NOT_SEEN[handler]?.[action] === undefined &&
        !(polledBySqs.has(handler) && SQS_EVENT_SOURCE_ACTIONS.includes(action)),
    );

    // Assess
    expect(unused, `${handler} is granted these but no test saw it use them`).toEqual([]);
  });
});
