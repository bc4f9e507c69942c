import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api-stack';
import { type DeploymentSettings, readSettings } from './settings';
import { StatefulStack } from './stateful-stack';

/** The stacks of one LinkGuard deployment. */
export interface LinkGuardStacks {
  settings: DeploymentSettings;
  stateful: StatefulStack;
  api: ApiStack;
}

/**
 * Adds one deployment of LinkGuard to `app`: `LinkGuard-<stage>-Data` (stateful) and
 * `LinkGuard-<stage>-Api` (stateless, depends on the first). Settings come from CDK context.
 * The CDK app (`bin/app.ts`) and the CDK tests both build the app through this one function.
 *
 * @example
 * const { api } = addLinkGuard(new App({ context: { stage: 'test' } }));
 */
export function addLinkGuard(app: App): LinkGuardStacks {
  const settings = readSettings(app.node);
  const prefix = `LinkGuard-${settings.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Data`, { settings, env: settings.env });
  const api = new ApiStack(app, `${prefix}-Api`, {
    settings,
    env: settings.env,
    table: stateful.table,
    signingKeys: stateful.signingKeys,
    smsPepper: stateful.smsPepper,
    wechatAppSecret: stateful.wechatAppSecret,
    plaidSecret: stateful.plaidSecret,
    appleKey: stateful.appleKey,
    tokenKey: stateful.tokenKey,
    alertTopic: stateful.alertTopic,
  });
  return { settings, stateful, api };
}

/**
 * Runs cdk-nag's AWS Solutions rules on every synth of `app`. Any finding not acknowledged (with
 * `Validations.of(construct).acknowledge({ id, reason })` beside the construct) fails the synth.
 *
 * @example
 * addComplianceChecks(app);
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
