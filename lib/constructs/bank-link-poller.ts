import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/adapters/metric-catalog';
import { backgroundDeployments } from '../../functions/manifest/function-manifest';
import { type CapabilityResources, grantCapabilities } from './capability-grants';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

/** The worker checks the Items of a batch one after another; 10 × `WORKER_PLAID_TIMEOUT` fits its timeout. */
export const WORKER_TIMEOUT = Duration.seconds(60);
export const WORKER_BATCH_SIZE = 10;
/** Plaid call timeout in the worker (`PLAID_TIMEOUT_MS`): ten timed-out calls take 50 s < 60 s. */
export const WORKER_PLAID_TIMEOUT_MS = 5000;
export const MAX_BATCHING_WINDOW = Duration.seconds(5);
/** AWS's advice for SQS event sources: at least six times the function timeout, plus the batching window. */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(
  6 * WORKER_TIMEOUT.toSeconds() + MAX_BATCHING_WINDOW.toSeconds(),
);
/** Receives of a message before it goes to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Period of the stuck-in-error alarm. An Item in `error` is re-checked with back-off capped at
 * `CHECK_BACKOFF_MAX_HOURS` (4 h by default) plus 10 % jitter and one schedule interval, so it
 * shows at least once in every 6 hours; four periods in a row in error span a day.
 */
export const STUCK_PERIOD = Duration.hours(6);
export const STUCK_PERIODS = 4;

export interface BankLinkPollerProps {
  /** What every LinkGuard function of the stack gets (logs, common environment). */
  common: Pick<ServiceFunctionProps, 'logRetention' | 'logLevel' | 'environment'>;
  /** Used only in the name space of the poller's own metric. */
  stage: string;
  /** What the dispatcher's and the worker's capabilities are granted on. */
  resources: CapabilityResources;
  /** Most workers at once (the event source's maximum concurrency, 2-1000). */
  concurrency: number;
  scheduleMinutes: number;
}

/**
 * The scheduled poll of every Plaid Item: an EventBridge schedule starts the dispatcher, which
 * finds due Items through the next-check index (gsi2) and puts one message per Item on the check
 * queue; workers take the queue ten messages at a time, at most `concurrency` at once, which
 * bounds the request rate Plaid sees. A message that fails five times lands in the DLQ. Alarms:
 * DLQ not empty, dispatcher or worker errors, a queue falling behind, Items stuck in `error` a day.
 *
 * @example
 * new BankLinkPoller(this, 'Poller', { common, stage, resources, concurrency: 16, scheduleMinutes: 15 });
 */
export class BankLinkPoller extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly dispatcher: ServiceFunction;
  readonly worker: ServiceFunction;
  readonly schedule: Rule;
  readonly alarms: {
    deadLetters: Alarm;
    dispatcherErrors: Alarm;
    workerErrors: Alarm;
    backlog: Alarm;
    stuckInError: Alarm;
    operatorFaults: Alarm;
    paused: Alarm;
  };

  constructor(scope: Construct, id: string, props: BankLinkPollerProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Checks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      // Every run re-dispatches the Items still due, so an old message is a duplicate: the worker
      // drops it with one read. A day bounds the pile-up while workers are stopped.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const { pollerDispatch, pollerWorker } = backgroundDeployments;
    this.dispatcher = new ServiceFunction(this, 'Dispatcher', {
      ...props.common,
      handler: pollerDispatch.handler,
      description: 'Bank-link poller: puts the Items due for a check on the check queue (schedule).',
      timeout: Duration.minutes(5),
      memorySize: 512,
    });
    grantCapabilities(this.dispatcher, pollerDispatch.capabilities, {
      ...props.resources,
      checkQueue: this.queue,
    });
    // The next scheduled run is the retry; Lambda's own async retries would only dispatch twice.
    this.dispatcher.configureAsyncInvoke({ retryAttempts: 0 });

    this.worker = new ServiceFunction(this, 'Worker', {
      ...props.common,
      handler: pollerWorker.handler,
      description:
        'Bank-link poller: checks Items at Plaid, records transitions, sends alerts (check queue).',
      timeout: WORKER_TIMEOUT,
      memorySize: 512,
    });
    grantCapabilities(this.worker, pollerWorker.capabilities, props.resources);
    this.worker.addEnvironment('PLAID_TIMEOUT_MS', String(WORKER_PLAID_TIMEOUT_MS));
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: WORKER_BATCH_SIZE,
        maxBatchingWindow: MAX_BATCHING_WINDOW,
        // This, not reserved concurrency, bounds the workers: SQS stops handing out batches at
        // the maximum instead of having Lambda throttle them (throttled batches count as
        // receives and would drift into the DLQ), and it reserves nothing from the account's pool.
        maxConcurrency: props.concurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.schedule = new Rule(this, 'Schedule', {
      description: `Starts the bank-link poll every ${props.scheduleMinutes} minutes.`,
      schedule: Schedule.rate(Duration.minutes(props.scheduleMinutes)),
      targets: [new LambdaFunction(this.dispatcher, { retryAttempts: 2 })],
    });

    this.alarms = this.makeAlarms(props);
  }

  private makeAlarms(props: BankLinkPollerProps) {
    const fifteenMinutes = Duration.minutes(15);
    const deadLetters = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'Bank-link checks failed five times and sit in the DLQ. Read the worker logs ("item check failed"), fix, then redrive (docs/deploying.md).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const errors = (fn: ServiceFunction, name: string, what: string) =>
      new Alarm(this, name, {
        alarmDescription: what,
        metric: fn.metricErrors({ period: fifteenMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const dispatcherErrors = errors(
      this.dispatcher,
      'DispatcherErrorsAlarm',
      'The bank-link dispatcher failed: no Items are being polled. Read its logs (config, DynamoDB, SQS errors).',
    );
    const workerErrors = errors(
      this.worker,
      'WorkerErrorsAlarm',
      'A bank-link worker invocation failed as a whole (crash, timeout, config error); its batch is retried. Read its logs.',
    );
    const backlog = new Alarm(this, 'BacklogAlarm', {
      alarmDescription:
        'The oldest check has waited over an hour: workers are stopped or too few for the Items (pollerConcurrency).',
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: fifteenMinutes,
        statistic: 'Maximum',
      }),
      threshold: 3600,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // The worker logs one JSON line per check: {"message":"item checked","itemId","status","changed"}.
    const errorChecks = new MetricFilter(this, 'ErrorChecks', {
      logGroup: this.worker.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', 'item checked'),
        FilterPattern.stringValue('$.status', '=', 'error'),
      ),
      metricNamespace: `LinkGuard/${props.stage}`,
      metricName: 'PlaidItemChecksInError',
      metricValue: '1',
    });
    const stuckInError = new Alarm(this, 'StuckInErrorAlarm', {
      alarmDescription:
        'Some bank link has been in error (institution or Plaid trouble, never alerted to users) for a day. Find it with the Logs Insights query in docs/deploying.md.',
      metric: errorChecks.metric({ period: STUCK_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: STUCK_PERIODS,
      datapointsToAlarm: STUCK_PERIODS,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Emitted by the functions (Powertools EMF): namespace LinkGuard, dimension service=linkguard.
    const emf = (key: 'plaidOperatorFault' | 'pollerPaused', dimensions: Record<string, string> = {}) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC[key].name,
        dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
        period: fifteenMinutes,
        statistic: 'Sum',
      });
    const operatorFaults = new Alarm(this, 'OperatorFaultsAlarm', {
      alarmDescription:
        'Plaid refused our own configuration (INVALID_API_KEYS: a rotated or wrong secret; INVALID_ACCESS_TOKEN: the wrong Plaid environment). No Item was changed. Check the Plaid secret and PLAID_ENV (docs/deploying.md).',
      metric: new MathExpression({
        expression: `SUM(SEARCH('{${METRICS_NAMESPACE},service,Code} MetricName="${METRIC.plaidOperatorFault.name}" service="${METRICS_SERVICE}"', 'Sum', ${fifteenMinutes.toSeconds()}))`,
        usingMetrics: {},
        period: fifteenMinutes,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const paused = new Alarm(this, 'PausedAlarm', {
      alarmDescription:
        'The poller is paused by its circuit breaker: Plaid refused our configuration for POLLER_BREAKER_FAULTS Items in one pass. Fix the Plaid settings; the poller resumes after POLLER_BREAKER_PAUSE_MINUTES, or at once when the pause record is deleted (docs/deploying.md).',
      metric: emf('pollerPaused'),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return { deadLetters, dispatcherErrors, workerErrors, backlog, stuckInError, operatorFaults, paused };
  }
}
