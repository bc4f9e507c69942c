import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function';

/**
 * What the secret is created with. The bootstrap replaces it with the first key. Never change this
 * value: CloudFormation would write the new value over the live keys on the next deploy.
 */
const PLACEHOLDER = '{"keys":[]}';

export interface SigningKeySecretProps {
  logRetention: RetentionDays;
  logLevel: string;
}

/**
 * The Secrets Manager secret that holds the access-token signing keys (`{"keys":[…]}`, newest
 * first), and a custom resource that writes the first ES256 key into it on the first deploy, so no
 * person ever handles the private key. Later deploys leave the keys alone; rotation is by hand
 * (docs/deploying.md).
 *
 * @example
 * const keys = new SigningKeySecret(this, 'SigningKeys', { logRetention, logLevel: 'INFO' });
 * fn.useSigningKeys(keys.secret, 'read');
 */
export class SigningKeySecret extends Construct {
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: SigningKeySecretProps) {
    super(scope, id);
    const secret = new Secret(this, 'Secret', {
      description: 'LinkGuard access-token signing keys (ES256 JWKs, newest first). Rotate by hand.',
      // Not a secret: an empty key set, replaced by the bootstrap below.
      secretStringValue: SecretValue.unsafePlainText(PLACEHOLDER),
      // Stateful, like the table: kept if the stack is deleted (docs/deploying.md says how to remove it).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Signing keys are rotated by hand in three steps: publish a new key for verification, sign with it, ' +
        'retire the old key once every token it signed has expired (docs/deploying.md). Secrets Manager ' +
        'rotation replaces the whole value at once, which would invalidate live access tokens.',
    });
    this.secret = secret;

    const onEvent = new ServiceFunction(this, 'Bootstrap', {
      handler: 'signing-key-bootstrap',
      description: 'Writes the first signing key into the signing-key secret (deploy time only).',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      logLevel: props.logLevel,
    });
    onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [secret.secretArn],
      }),
    );

    // The provider framework's own function, with the same log hygiene as ours.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: props.logRetention });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the signing-key bootstrap provider: writes its log group, invokes the bootstrap.',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    // The framework's JavaScript runs on either architecture; ARM64 like everything else we run.
    const frameworkFunction = provider.node.findChild('framework-onEvent').node.defaultChild as CfnFunction;
    frameworkFunction.architectures = [Architecture.ARM_64.name];
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(onEvent.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'The provider framework (aws-cdk-lib) grants itself lambda:InvokeFunction on the bootstrap function ' +
        'and on its versions and aliases (ARN:*). The wildcard covers qualifiers of that one function only.',
    });

    new CustomResource(this, 'BootstrapResource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SigningKeyBootstrap',
      properties: { SecretId: secret.secretArn },
    });
  }
}
