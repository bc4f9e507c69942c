import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { publishesAlerts } from '../../functions/manifest/capabilities';
import { deployedRoutes as routeList } from '../../functions/manifest/function-manifest';
import { addComplianceChecks, addLinkGuard } from '../../lib/linkguard';

const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** The violations in the validation report of a synth, per plugin. */
function reportedViolations(app: App): { plugin: string; rule: string; severity: string }[] {
  let directory = app.outdir;
  try {
    directory = app.synth().directory;
  } catch {
    // A failed validation still writes its report.
  }
  const file = join(directory, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string }[] }[];
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map((v) => ({ plugin: r.pluginName, rule: v.ruleName, severity: v.severity ?? '' })),
  );
}

/** Every acknowledgement recorded in the construct tree: rule id and reason. */
function acknowledgements(root: IConstruct): { id: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason }));
}

describe('Compliance: cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the app, errors or warnings', () => {
    // Prepare
    const app = newApp();
    addLinkGuard(app);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });

  // A whole synth with every check: ~17 s on an idle machine, so the default 30 s is too tight
  // when the full suite shares the CPU.
  it('lets the app synthesize with the checks on, with nothing in the validation report', () => {
    const app = newApp();
    addLinkGuard(app);
    addComplianceChecks(app);
    expect(reportedViolations(app)).toEqual([]);
  }, 90_000);

  it('leaves no warning or error annotation on either stack', () => {
    // Prepare
    const app = newApp();
    const { stateful, api } = addLinkGuard(app);

    // Act
    const annotations = [stateful, api].map((stack) => Annotations.fromStack(stack));

    // Assess
    for (const found of annotations) {
      expect(found.findWarning('*', Match.anyValue())).toEqual([]);
      expect(found.findError('*', Match.anyValue())).toEqual([]);
    }
  });

  it('fails the synth on a wildcard grant and an unacknowledged public route, and reports warnings', () => {
    // Prepare
    const app = newApp();
    const { api } = addLinkGuard(app);
    addComplianceChecks(app);
    const me = api.functions.get('me');
    if (me === undefined) throw new Error('no me function');

    // Act
    me.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
    api.api.addRoutes({
      path: '/v1/forgotten',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Forgotten', me),
    });
    // CloudFormation's own schema check only warns: IAM descriptions must be Latin-1.
    new Role(api, 'Careless', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: '…' });

    // Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
    expect(reportedViolations(app).map((v) => v.rule)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Action::dynamodb:*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-APIG4',
        'F3031',
      ]),
    );
  });

  it('acknowledges only the findings a reviewer has read, each with a reason', () => {
    // Prepare
    const app = newApp();
    addLinkGuard(app);
    const publicRoutes = routeList.filter((r) => r.auth === 'public');

    // Act
    const acknowledged = acknowledgements(app);

    // Assess
    expect(acknowledged.map((a) => a.id.replace(/\[.*\]$/, '[…]')).sort()).toEqual(
      [
        ...publicRoutes.map(() => 'AwsSolutions-APIG4'),
        // The invoke wildcards of the signing-key bootstrap's and the public-key publisher's providers;
        // SMS publish on "*" (useSms, useAlerts) for each route that texts or alerts, and for the
        // poller's worker and the webhook worker.
        'AwsSolutions-IAM5[…]',
        'AwsSolutions-IAM5[…]',
        ...routeList
          .filter((r) => r.capabilities.sms || publishesAlerts(r.capabilities))
          .map(() => 'AwsSolutions-IAM5[…]'),
        'AwsSolutions-IAM5[…]',
        'AwsSolutions-IAM5[…]',
        // Unsubscribe on the alert topic's subscriptions ("<topic ARN>:*", see useEmailSubscriptions).
        ...routeList.filter((r) => r.capabilities.emailSubscriptions).map(() => 'AwsSolutions-IAM5[…]'),
        // …and for the account-deletion worker, which unsubscribes a deleted account's email.
        'AwsSolutions-IAM5[…]',
        // Secrets rotated by hand: signing keys, the SMS pepper, WeChat's AppSecret, Plaid's secret,
        // the Sign in with Apple key.
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
      ].sort(),
    );
    const iam5 = acknowledged.filter((a) => a.id.startsWith('AwsSolutions-IAM5')).map((a) => a.id);
    expect(iam5.filter((id) => id === 'AwsSolutions-IAM5[Resource::*]')).toHaveLength(
      routeList.filter((r) => r.capabilities.sms || publishesAlerts(r.capabilities)).length + 2,
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(80);
  });
});
