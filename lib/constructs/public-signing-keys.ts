import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function';

export interface PublicSigningKeysProps {
  signingKeys: ISecret;
  /** `keysRevision`: a new value re-publishes the keys (rotation, docs/deploying.md). */
  revision: string | undefined;
  logRetention: RetentionDays;
  logLevel: string;
}

/**
 * The public JWKS of the signing keys, published at deploy time: a custom resource reads the
 * signing-key secret and answers the public halves (`functions/handlers/public-jwks-publisher.ts`),
 * which `jwks` holds as a token for the environment (`PUBLIC_JWKS`) of the functions that only
 * verify or serve public keys. They are never granted the secret; only the token issuers are.
 *
 * @example
 * const published = new PublicSigningKeys(this, 'PublicKeys', { signingKeys, revision, logRetention, logLevel });
 * fn.usePublicKeys(published.jwks);
 */
export class PublicSigningKeys extends Construct {
  /** The public JWKS document (a CloudFormation token). */
  readonly jwks: string;
  /** The deploy-time function that reads the secret (not behind the API). */
  readonly publisher: ServiceFunction;

  constructor(scope: Construct, id: string, props: PublicSigningKeysProps) {
    super(scope, id);
    const onEvent = new ServiceFunction(this, 'Publisher', {
      handler: 'public-jwks-publisher',
      description:
        'Publishes the public halves of the signing keys to the verifying functions (deploy time only).',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
    onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.signingKeys.secretArn],
      }),
    );
    this.publisher = onEvent;

    // The provider framework's own function, with the same log hygiene as ours.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: props.logRetention });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the public-key publisher provider: writes its log group, invokes the publisher.',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    const frameworkFunction = provider.node.findChild('framework-onEvent').node.defaultChild as CfnFunction;
    frameworkFunction.architectures = [Architecture.ARM_64.name];
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(onEvent.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'The provider framework (aws-cdk-lib) grants itself lambda:InvokeFunction on the publisher function ' +
        'and on its versions and aliases (ARN:*). The wildcard covers qualifiers of that one function only.',
    });

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PublicSigningKeys',
      properties: { SecretId: props.signingKeys.secretArn, Revision: props.revision ?? '' },
    });
    this.jwks = resource.getAttString('Jwks');
  }
}
