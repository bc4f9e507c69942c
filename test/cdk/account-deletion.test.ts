import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DELETION_MAX_RECEIVE_COUNT } from '../../lib/constructs/account-deletion';
import { logicalIdOf, synthesize } from './fixture';

const { api, apiTemplate } = synthesize();
const ids = {
  queue: logicalIdOf(api.accountDeletion.queue),
  dlq: logicalIdOf(api.accountDeletion.deadLetterQueue),
  worker: logicalIdOf(api.accountDeletion.worker),
};

describe('Construct: AccountDeletion', () => {
  it('queues deletion work on an encrypted queue that moves a message to its DLQ after 20 receives', () => {
    const queue = apiTemplate.toJSON().Resources[ids.queue];
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
        maxReceiveCount: DELETION_MAX_RECEIVE_COUNT,
      },
    });
    expect(apiTemplate.toJSON().Resources[ids.dlq].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
  });

  it('feeds the worker one message at a time, with partial failures reported', () => {
    apiTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionName: { Ref: ids.worker },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('raises an alarm as soon as any deletion work sits in the DLQ', () => {
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Account-deletion work'),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('hands DELETION_QUEUE_URL only to DELETE /v1/me', () => {
    const withQueue = Object.values(apiTemplate.findResources('AWS::Lambda::Function'))
      .filter((fn) => fn.Properties.Environment?.Variables?.DELETION_QUEUE_URL !== undefined)
      .map((fn) => fn.Properties.Description);
    expect(withQueue).toEqual(['DELETE /v1/me']);
  });
});
