import { describe, expect, it } from 'vitest';
import { METRIC } from '../../functions/adapters/metric-catalog';
import { logicalIdOf, synthesize } from './fixture';

const { api, apiTemplate } = synthesize();
const resources = apiTemplate.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const propertiesOf = (construct: Parameters<typeof logicalIdOf>[0]) =>
  resources[logicalIdOf(construct)]?.Properties ?? {};

describe('Webhook pipeline', () => {
  it('queues webhooks on an encrypted FIFO queue with a FIFO DLQ after five receives', () => {
    const queue = propertiesOf(api.webhooks.queue);
    expect(queue).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 5 },
    });
    expect(propertiesOf(api.webhooks.deadLetterQueue)).toMatchObject({ FifoQueue: true });
  });

  it('hands the queue URL to the receiver, and the worker takes the queue with partial failures', () => {
    const receiver = propertiesOf(api.functions.get('plaidWebhook') as Parameters<typeof logicalIdOf>[0]);
    expect(JSON.stringify((receiver.Environment as { Variables: unknown }).Variables)).toContain(
      logicalIdOf(api.webhooks.queue),
    );
    const mapping = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.FunctionName).includes(logicalIdOf(api.webhooks.worker)),
    );
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('alarms on webhook dead letters, worker errors and a backlog', () => {
    for (const alarm of Object.values(api.webhooks.alarms))
      expect(resources[logicalIdOf(alarm)]?.Type).toBe('AWS::CloudWatch::Alarm');
  });
});

describe('Poller circuit breaker alarms', () => {
  it('alarms when the poller is paused, on the metric the breaker emits', () => {
    const paused = propertiesOf(api.poller.alarms.paused);
    expect(paused).toMatchObject({
      MetricName: METRIC.pollerPaused.name,
      Namespace: 'LinkGuard',
      Dimensions: [{ Name: 'service', Value: 'linkguard' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on any operator fault (Plaid refusing our configuration), whatever its code', () => {
    const faults = propertiesOf(api.poller.alarms.operatorFaults);
    expect(JSON.stringify(faults.Metrics)).toContain(`MetricName=\\"${METRIC.plaidOperatorFault.name}\\"`);
    expect(faults).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });
});
