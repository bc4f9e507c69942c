import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/adapters/metric-catalog';
import { synthesize } from './fixture';

const { apiTemplate } = synthesize();

/** The dashboard's body as CloudWatch reads it (tokens such as the Region replaced by a marker). */
function dashboardBody(): { widgets: { type: string; properties: Record<string, unknown> }[] } {
  const dashboards = Object.values(apiTemplate.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
          .join(body['Fn::Join'][0]);
  return JSON.parse(text);
}

describe('Construct: OperationsDashboard', () => {
  const widgets = dashboardBody().widgets.filter((w) => w.type === 'metric');
  const expressions = widgets.flatMap((w) =>
    ((w.properties.metrics ?? []) as unknown[][]).map(
      (m) => (m[0] as { expression?: string }).expression ?? '',
    ),
  );

  it.each(Object.entries(METRIC))('graphs %s with the dimensions the functions emit', (_key, metric) => {
    const schema = [METRICS_NAMESPACE, 'service', ...metric.dimensions].join(',');
    const matching = expressions.filter((e) => e.includes(`MetricName="${metric.name}"`));
    expect(matching.length).toBeGreaterThan(0);
    for (const expression of matching) expect(expression).toContain(`SEARCH('{${schema}}`);
  });

  it('shows the signals an operator watches, each in its own graph', () => {
    const titles = widgets.map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Sign-ins by way in',
        'Refused sign-ins by code',
        'Lockouts, unknown usernames and refresh-token reuse',
        'SMS codes sent and refused',
        'Item checks by outcome',
        'Items by status (as found by the checks)',
        'Alerts sent by channel',
      ]),
    );
  });
});
