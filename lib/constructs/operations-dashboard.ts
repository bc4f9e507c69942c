import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricKey,
} from '../../functions/adapters/metric-catalog';

const PERIOD = Duration.minutes(5);

/**
 * Every series of one operational metric, one line per value of its dimensions (a CloudWatch
 * SEARCH, so a new way in or a new refusal code appears without a deploy).
 */
function seriesOf(key: MetricKey, label: string, filter = ''): IMetric {
  const { name, dimensions } = METRIC[key];
  const schema = [METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${name}" service="${METRICS_SERVICE}"${filter}', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
    usingMetrics: {},
  });
}

/**
 * The operators' dashboard: the signals of sign-in security (ways in, refusals, lockouts,
 * refresh-token reuse), SMS (sent and refused) and bank-link health (checks by outcome, Items
 * by status, alerts sent), from the EMF metrics the functions write
 * ([metric-catalog.ts](../../functions/adapters/metric-catalog.ts)).
 *
 * @example
 * new OperationsDashboard(this, 'Operations', { dashboardName: 'linkguard-operations' });
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: { dashboardName?: string } = {}) {
    super(scope, id);
    const graph = (title: string, metrics: IMetric[], stacked = false) =>
      new GraphWidget({ title, left: metrics, width: 12, height: 6, stacked, period: PERIOD });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          "## LinkGuard operations\nCounts per 5 minutes from the functions' EMF metrics (namespace `LinkGuard`). A lockout or refresh-token reuse spike is an attack or a broken client; SMS refusals by code show abuse of the SMS limits.",
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Sign-ins by way in', [seriesOf('signIn', 'Sign-ins', ' Outcome="succeeded"')], true),
      graph('Refused sign-ins by code', [seriesOf('signIn', 'Refused', ' NOT Outcome="succeeded"')], true),
    );
    this.dashboard.addWidgets(
      graph('Lockouts, unknown usernames and refresh-token reuse', [
        seriesOf('lockout', 'Lockouts'),
        seriesOf('unknownUsernameLogin', 'Failed logins, unknown username'),
        seriesOf('refreshTokenReuse', 'Refresh-token reuse'),
      ]),
      graph('New accounts by way in', [seriesOf('signUp', 'Sign-ups')], true),
    );
    this.dashboard.addWidgets(
      graph('SMS codes sent and refused', [seriesOf('smsCode', 'SMS codes')], true),
      graph('Alerts sent by channel', [seriesOf('alertSent', 'Alerts')], true),
    );
    this.dashboard.addWidgets(
      graph('Security notices by kind', [seriesOf('securityNotice', 'Sent', ' Outcome="sent"')], true),
      graph(
        'Security notices that failed',
        [seriesOf('securityNotice', 'Failed', ' Outcome="failed"')],
        true,
      ),
    );
    this.dashboard.addWidgets(
      graph('Item checks by outcome', [seriesOf('itemCheck', 'Checks')], true),
      graph('Items by status (as found by the checks)', [seriesOf('checkedItemStatus', 'Items')], true),
    );
    this.dashboard.addWidgets(
      graph('Plaid webhooks by outcome', [seriesOf('plaidWebhook', 'Webhooks')], true),
      graph('Operator faults (our Plaid configuration) and poller pauses', [
        seriesOf('plaidOperatorFault', 'Operator faults'),
        seriesOf('pollerPaused', 'Poller paused'),
      ]),
    );
  }
}
