import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { backgroundDeployments } from '../../functions/manifest/function-manifest';
import { type CapabilityResources, grantCapabilities } from './capability-grants';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

/** A webhook's processing: a confirmation `/item/get` (paced, up to 4 s apart) and a few writes. */
export const WEBHOOK_WORKER_TIMEOUT = Duration.seconds(60);
/** Plaid call timeout in the webhook worker (`PLAID_TIMEOUT_MS`). */
export const WEBHOOK_WORKER_PLAID_TIMEOUT_MS = 5000;
export const WEBHOOK_BATCH_SIZE = 10;
/** Receives of a webhook before it goes to the DLQ. */
export const WEBHOOK_MAX_RECEIVE_COUNT = 5;

export interface WebhookPipelineProps {
  common: Pick<ServiceFunctionProps, 'logRetention' | 'logLevel' | 'environment'>;
  resources: CapabilityResources;
}

/**
 * Plaid's webhooks after the receiver has verified them: an SQS FIFO queue (one message group per
 * Item, so one Item's webhooks are processed one at a time, in order; duplicates of one
 * signature dropped by content), its FIFO dead-letter queue, and the worker that confirms with
 * Plaid and applies them. Alarms: DLQ not empty, worker errors, webhooks waiting over 15 minutes.
 *
 * @example
 * const webhooks = new WebhookPipeline(this, 'Webhooks', { common, resources });
 * resources.webhookQueue = webhooks.queue;
 */
export class WebhookPipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: ServiceFunction;
  readonly alarms: { deadLetters: Alarm; workerErrors: Alarm; backlog: Alarm };

  constructor(scope: Construct, id: string, props: WebhookPipelineProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Webhooks', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(6 * WEBHOOK_WORKER_TIMEOUT.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT },
    });

    const { plaidWebhookWorker } = backgroundDeployments;
    this.worker = new ServiceFunction(this, 'Worker', {
      ...props.common,
      handler: plaidWebhookWorker.handler,
      description: 'Plaid webhooks: confirms with Plaid, records transitions, sends alerts (webhook queue).',
      timeout: WEBHOOK_WORKER_TIMEOUT,
      memorySize: 512,
    });
    grantCapabilities(this.worker, plaidWebhookWorker.capabilities, props.resources);
    this.worker.addEnvironment('PLAID_TIMEOUT_MS', String(WEBHOOK_WORKER_PLAID_TIMEOUT_MS));
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: WEBHOOK_BATCH_SIZE, reportBatchItemFailures: true }),
    );

    const alarm = (name: string, description: string, metric: Alarm['metric'], threshold: number) =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = {
      deadLetters: alarm(
        'DeadLettersAlarm',
        'Plaid webhooks failed five times and sit in the webhook DLQ. Read the webhook worker logs ("plaid webhook processing failed"), fix, then redrive (docs/deploying.md).',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        0,
      ),
      workerErrors: alarm(
        'WorkerErrorsAlarm',
        'A webhook worker invocation failed as a whole (crash, timeout, config error); its batch is retried. Read its logs.',
        this.worker.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
        0,
      ),
      backlog: alarm(
        'BacklogAlarm',
        'The oldest Plaid webhook has waited over 15 minutes: the webhook worker is failing or stopped.',
        this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        900,
      ),
    };
  }
}
