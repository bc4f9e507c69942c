import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AlertTopic, type AlertTopicRef } from './constructs/alert-topic';
import { SigningKeySecret } from './constructs/signing-key-secret';
import { SingleTable } from './constructs/single-table';
import type { DeploymentSettings } from './settings';

export interface StatefulStackProps extends StackProps {
  settings: DeploymentSettings;
}

/**
 * What LinkGuard cannot lose: the table, the signing keys and the other secrets, the key that wraps
 * Plaid access tokens, and the alert topic with its subscriptions. Kept apart from the functions and
 * the API so that those can be replaced, renamed or torn down freely; termination protection is
 * on, and the table is retained even if the stack is deleted.
 *
 * @example
 * const data = new StatefulStack(app, 'LinkGuard-dev-Data', { settings });
 * new ApiStack(app, 'LinkGuard-dev-Api', { settings, table: data.table, signingKeys: data.signingKeys });
 */
export class StatefulStack extends Stack {
  readonly table: ITable;
  readonly signingKeys: ISecret;
  /** The key of the SMS-code hashes (HMAC pepper). */
  readonly smsPepper: ISecret;
  /** Our Sign in with Apple private key (.p8), which the team puts in after the first deploy. */
  readonly appleKey: ISecret;
  /** WeChat's AppSecret, which the team puts in after the first deploy. */
  readonly wechatAppSecret: ISecret;
  /** Plaid's API secret, which the team puts in after the first deploy. */
  readonly plaidSecret: ISecret;
  /** Wraps the per-Item data keys of Plaid access tokens (envelope encryption in the functions). */
  readonly tokenKey: IKey;
  /** Where every bank-link alert is published. */
  readonly alertTopic: AlertTopicRef;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, {
      description: `LinkGuard ${props.settings.stage}: table, keys, secrets, alert topic (stateful).`,
      ...props,
      terminationProtection: true,
    });
    const { settings } = props;

    this.table = new SingleTable(this, 'Data').table;
    this.signingKeys = new SigningKeySecret(this, 'SigningKeys', {
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
    }).secret;

    const smsPepper = new Secret(this, 'SmsPepper', {
      description: 'LinkGuard: HMAC key of stored SMS codes. Random; never leaves the SMS functions.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(smsPepper).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The pepper only keys the hashes of SMS codes, which live 10 minutes. Rotating it invalidates the codes ' +
        'alive at that moment and nothing else, so it is rotated by hand (docs/deploying.md) rather than by a ' +
        'rotation Lambda.',
    });
    this.smsPepper = smsPepper;

    const wechatAppSecret = new Secret(this, 'WeChatAppSecret', {
      description:
        'LinkGuard: the WeChat Open Platform AppSecret. Created with a placeholder; put the real value in (docs/deploying.md).',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(wechatAppSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'WeChat issues the AppSecret and only its developer console can reset it, so Secrets Manager cannot rotate ' +
        'it; resetting it there and pasting the new value here is the rotation (docs/deploying.md).',
    });
    this.wechatAppSecret = wechatAppSecret;

    const appleKey = new Secret(this, 'AppleSignInKey', {
      description:
        'LinkGuard: the Sign in with Apple private key (.p8, PEM) that signs client secrets for Apple /auth/token ' +
        'and /auth/revoke. Created with a placeholder; put the real key in (docs/deploying.md).',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(appleKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Apple issues the key and only the developer portal can revoke it and issue another, so Secrets Manager ' +
        'cannot rotate it; a new key pasted here with the appleKeyId setting is the rotation (docs/deploying.md).',
    });
    this.appleKey = appleKey;

    const plaidSecret = new Secret(this, 'PlaidSecret', {
      description:
        `LinkGuard: the Plaid API secret for the ${settings.plaid.env} environment. Created with a random ` +
        'placeholder; put the real value in (docs/deploying.md).',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(plaidSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Plaid issues the API secret and only its dashboard can rotate it, so Secrets Manager cannot; rotating it ' +
        'there and pasting the new value here is the rotation (docs/deploying.md).',
    });
    this.plaidSecret = plaidSecret;

    this.tokenKey = new Key(this, 'PlaidTokenKey', {
      description:
        'LinkGuard: wraps the data keys of Plaid access tokens (encryption context: itemId). Losing it loses every bank link.',
      alias: `alias/linkguard-${settings.stage}-plaid-tokens`,
      enableKeyRotation: true,
      // The tokens in the table are useless without it: keep it even if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alertTopic = new AlertTopic(this, 'Alerts', { stage: settings.stage }).ref;

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SigningKeySecretArn', { value: this.signingKeys.secretArn });
    new CfnOutput(this, 'PlaidSecretArn', { value: plaidSecret.secretArn });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
  }
}
