import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../functions/adapters/dynamo/table-definition';
import type { TableAction } from '../../functions/api/routes';

/** The repository root: esbuild's project root and home of the lock file `nodeModules` installs from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lets esbuild's ESM output `require()` the CommonJS code some dependencies still contain. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** What differs between LinkGuard functions; the rest are the house defaults below. */
export interface ServiceFunctionProps {
  /** File name in `functions/handlers/` without `.ts`. */
  handler: string;
  description: string;
  /** @default 512 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** Packages installed beside the bundle instead of bundled (native modules, lazily loaded data). */
  nodeModules?: readonly string[];
  logRetention: RetentionDays;
  logLevel: string;
  environment?: Record<string, string>;
}

/**
 * A LinkGuard Lambda function with the house defaults: Node.js 24 on ARM64, minified ESM with
 * source maps, the AWS SDK left to the runtime, its own log group with retention, and a role that
 * may write to that log group and nothing else until a `use…` call grants more. Each `use…` call
 * sets the environment variable the function's config reads and the permission together, so the
 * two cannot drift apart.
 *
 * @example
 * const fn = new ServiceFunction(this, 'Login', { handler: 'login', description: 'POST /v1/auth/login', ... });
 * fn.useTable(table, ['dynamodb:GetItem']);
 * fn.useSigningKeys(secret, 'read');
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id, ServiceFunction.houseDefaults(scope, id, props));
  }

  private static houseDefaults(
    scope: Construct,
    id: string,
    props: ServiceFunctionProps,
  ): NodejsFunctionProps {
    // Created beside the function (not inside it) because they must exist before `super()` runs.
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.handler}; may write to its own log group only, plus what its use...() calls grant.`,
    });
    // Instead of AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    logGroup.grantWrite(role);
    return {
      entry: join(REPO_ROOT, 'functions', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'linkguard',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_BANNER,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The Node.js 24 runtime ships SDK v3; our code lazy-imports the clients it needs.
        externalModules: ['@aws-sdk/*'],
        // Only when there are some: an empty list still copies package.json and the lock file in.
        ...(props.nodeModules?.length ? { nodeModules: [...props.nodeModules] } : {}),
        // `npm ci` in the bundle picks the native binaries Lambda needs, whatever machine synthesizes.
        environment: { npm_config_cpu: 'arm64', npm_config_os: 'linux', npm_config_libc: 'glibc' },
        // Local esbuild (a dev dependency) bundles; no Docker needed to synthesize.
        forceDockerBundling: false,
      },
    };
  }

  /**
   * Hands the table to the function: sets `TABLE_NAME` and grants exactly `actions` (which may be
   * none). Query is granted on the table and on each index named in the table definition, never on
   * a wildcard, and no other action reaches the indexes.
   */
  useTable(table: ITable, actions: readonly TableAction[]): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    if (actions.length > 0) {
      this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    }
    if (actions.includes('dynamodb:Query')) {
      const indexArns = tableDefinition.globalSecondaryIndexes.map(
        (gsi) => `${table.tableArn}/index/${gsi.indexName}`,
      );
      this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }));
    }
    return this;
  }

  /**
   * Hands the signing-key secret to the function: sets `SIGNING_KEYS_SECRET_ID` (config requires it
   * of every function) and, for `read`, grants `secretsmanager:GetSecretValue` on that secret only.
   */
  useSigningKeys(secret: ISecret, access: 'none' | 'read'): this {
    this.addEnvironment('SIGNING_KEYS_SECRET_ID', secret.secretArn);
    if (access === 'read') {
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
      );
    }
    return this;
  }

  /**
   * Hands WeChat's AppSecret to the function: sets `WECHAT_APP_SECRET_ID` and grants
   * `secretsmanager:GetSecretValue` on that secret only.
   */
  useProviderSecrets(wechatAppSecret: ISecret): this {
    this.addEnvironment('WECHAT_APP_SECRET_ID', wechatAppSecret.secretArn);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [wechatAppSecret.secretArn],
      }),
    );
    return this;
  }

  /**
   * Hands the SMS-code pepper to the function: sets `SMS_PEPPER_SECRET_ID` and grants
   * `secretsmanager:GetSecretValue` on that secret only.
   */
  useSmsPepper(secret: ISecret): this {
    this.addEnvironment('SMS_PEPPER_SECRET_ID', secret.secretArn);
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    return this;
  }

  /**
   * Lets the function text phones: `SMS_TRANSPORT=sns` and `sns:Publish`. SNS cannot scope a
   * publish to phone numbers by resource, so the allow is on `*`; an explicit deny on every topic
   * ARN narrows it to direct SMS, so this function can never publish to a topic.
   */
  useSms(options: { senderId?: string }): this {
    this.addEnvironment('SMS_TRANSPORT', 'sns');
    if (options.senderId !== undefined) this.addEnvironment('SMS_SENDER_ID', options.senderId);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
      }),
    );
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNS Publish to a phone number has no resource ARN, so IAM can only allow it on "*". A Deny on every ' +
          'SNS topic ARN in the same policy limits the allow to direct SMS.',
      });
    }
    return this;
  }
}
