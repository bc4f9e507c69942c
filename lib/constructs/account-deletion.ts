import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { backgroundDeployments } from '../../functions/manifest/function-manifest';
import { type CapabilityResources, grantCapabilities } from './capability-grants';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

/** One message at a time: a Plaid or Apple call (3 s timeout each) and a few table writes. */
export const DELETION_WORKER_TIMEOUT = Duration.seconds(30);
/** AWS's advice for SQS event sources: at least six times the function timeout. */
export const DELETION_VISIBILITY_TIMEOUT = Duration.seconds(6 * DELETION_WORKER_TIMEOUT.toSeconds());
/**
 * Receives before the DLQ: with the visibility timeout between them, Plaid or Apple may be down
 * for about an hour before a message lands in the DLQ (and the alarm calls a person).
 */
export const DELETION_MAX_RECEIVE_COUNT = 20;

export interface AccountDeletionProps {
  common: Pick<ServiceFunctionProps, 'logRetention' | 'logLevel' | 'environment'>;
  resources: CapabilityResources;
}

/**
 * What a deleted account leaves to do at third parties — removing its bank links at Plaid (Plaid
 * bills every Item until it is removed) and revoking its Apple tokens (Sign in with Apple's rule
 * for account deletion) — on an encrypted SQS queue. The worker takes one message at a time; SQS
 * redelivers what fails; after 20 receives a message moves to the DLQ (14 days), and an alarm
 * fires as soon as anything sits there.
 *
 * @example
 * const deletion = new AccountDeletion(this, 'AccountDeletion', { common, resources });
 */
export class AccountDeletion extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: ServiceFunction;
  readonly deadLettersAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AccountDeletionProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Work', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: DELETION_VISIBILITY_TIMEOUT,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DELETION_MAX_RECEIVE_COUNT },
    });

    const { accountDeletionWorker } = backgroundDeployments;
    this.worker = new ServiceFunction(this, 'Worker', {
      ...props.common,
      handler: accountDeletionWorker.handler,
      description: 'Account deletion: removes bank links at Plaid, revokes Apple tokens (deletion queue).',
      timeout: DELETION_WORKER_TIMEOUT,
      memorySize: 512,
    });
    grantCapabilities(this.worker, accountDeletionWorker.capabilities, props.resources);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );

    this.deadLettersAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'Account-deletion work (a Plaid Item to remove, still billed; an Apple token to revoke) failed 20 times and sits in the DLQ. Read the worker logs ("deletion work failed"), fix, then redrive (docs/deploying.md).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
