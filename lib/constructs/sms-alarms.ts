import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** Share of the monthly SMS spend limit at which the spend alarm fires. */
export const SPEND_ALARM_SHARE = 0.8;

/**
 * Alarms on SMS, which costs money per message and attracts fraud: month-to-date spend nearing
 * the account's SNS spend limit (SNS stops sending at the limit), and failed deliveries of
 * direct-to-phone messages. Wire their actions to the team's on-call topic.
 *
 * @example
 * new SmsAlarms(this, 'SmsAlarms', { monthlyBudgetUsd: 100 });
 */
export class SmsAlarms extends Construct {
  readonly spend: Alarm;
  readonly failures: Alarm;

  constructor(scope: Construct, id: string, props: { monthlyBudgetUsd: number }) {
    super(scope, id);
    this.spend = new Alarm(this, 'MonthToDateSpend', {
      alarmDescription: `SMS spend this month passed ${SPEND_ALARM_SHARE * 100}% of the ${props.monthlyBudgetUsd} USD limit.`,
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      threshold: props.monthlyBudgetUsd * SPEND_ALARM_SHARE,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failures = new Alarm(this, 'FailedDeliveries', {
      alarmDescription:
        'More than 10 SMS failed to deliver within 15 minutes (carrier blocks, bad numbers, limit reached).',
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'NumberOfNotificationsFailed',
        // Messages published straight to a phone number (not through a topic) report under this dimension.
        dimensionsMap: { PhoneNumber: 'PhoneNumberDirect' },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      threshold: 10,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
