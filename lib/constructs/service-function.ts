import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, Tags, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type GsiName, tableDefinition } from '../../functions/adapters/dynamo/table-definition';
import type { TableAction } from '../../functions/manifest/capabilities';
import type { AlertTopicRef } from './alert-topic';

/** The repository root: esbuild's project root and home of the lock file `nodeModules` installs from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lets esbuild's ESM output `require()` the CommonJS code some dependencies still contain. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The tag naming the handler file (`functions/handlers/<handler>.ts`) a function runs. */
export const HANDLER_TAG = 'linkguard:handler';

/** How a function talks to Plaid: the environment of `usePlaid`, from the deployment settings. */
export interface PlaidFunctionSettings {
  env: 'sandbox' | 'production';
  /** Unset: the function's config has no Plaid section and Plaid calls fail with a config error. */
  clientId: string | undefined;
  webhookUrl: string;
  products: string | undefined;
  countryCodes: string | undefined;
  clientName: string | undefined;
  redirectUri?: string | undefined;
  androidPackageName?: string | undefined;
  linkCustomizationName?: string | undefined;
}

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
 * fn.useSigningKeys(secret);
 */
export class ServiceFunction extends NodejsFunction {
  /** Whether useSms or useAlerts ran: their SNS statements must not be combined. */
  private smsPublish = false;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id, ServiceFunction.houseDefaults(scope, id, props));
    // Names the code the function runs, in AWS and in the template (the least-privilege check
    // matches the calls each handler makes to the role of the function tagged with it).
    Tags.of(this).add(HANDLER_TAG, props.handler);
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
        // `npm ci` in the bundle picks the native binaries Lambda needs, whatever machine synthesizes,
        // from the npm cache when it has them (no revalidation, no audit): after `npm install`, only
        // a package missing from the cache is downloaded (README, "Deploying").
        environment: {
          npm_config_cpu: 'arm64',
          npm_config_os: 'linux',
          npm_config_libc: 'glibc',
          npm_config_prefer_offline: 'true',
          npm_config_audit: 'false',
          npm_config_fund: 'false',
          npm_config_update_notifier: 'false',
        },
        // Local esbuild (a dev dependency) bundles; no Docker needed to synthesize.
        forceDockerBundling: false,
      },
    };
  }

  /**
   * Hands the table to the function: sets `TABLE_NAME` and grants exactly `actions` (which may be
   * none). Query is granted on the table and on each index named in the table definition, never on
   * a wildcard, and no other action reaches the indexes. With `partitionKeys`, the actions on the
   * table reach only items whose partition key starts with one of them (`dynamodb:LeadingKeys`,
   * checked for every key of a batch or transaction); queries on an index cannot be limited so.
   */
  useTable(
    table: ITable,
    actions: readonly TableAction[],
    options: { partitionKeys?: readonly string[] } = {},
  ): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    if (actions.length > 0) {
      const { partitionKeys } = options;
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...actions],
          resources: [table.tableArn],
          ...(partitionKeys === undefined
            ? {}
            : {
                conditions: {
                  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitionKeys.map((p) => `${p}*`) },
                },
              }),
        }),
      );
    }
    if (actions.includes('dynamodb:Query')) {
      this.queryIndexes(
        table,
        tableDefinition.globalSecondaryIndexes.map((gsi) => gsi.indexName),
      );
    }
    return this;
  }

  /**
   * Lets the function query one index and nothing else of the table (no action on the table
   * itself): sets `TABLE_NAME` and grants `dynamodb:Query` on that index's ARN.
   */
  useTableIndex(table: ITable, indexName: GsiName): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this.queryIndexes(table, [indexName]);
  }

  private queryIndexes(table: ITable, indexNames: readonly string[]): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
    return this;
  }

  /**
   * Hands the public JWKS to the function (`PUBLIC_JWKS`): it verifies access tokens or serves
   * the public keys, with no secret and no permission at all.
   */
  usePublicKeys(jwks: string): this {
    this.addEnvironment('PUBLIC_JWKS', jwks);
    return this;
  }

  /**
   * Hands the signing-key secret to the function: sets `SIGNING_KEYS_SECRET_ID` and grants
   * `secretsmanager:GetSecretValue` on that secret only.
   */
  useSigningKeys(secret: ISecret): this {
    this.addEnvironment('SIGNING_KEYS_SECRET_ID', secret.secretArn);
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
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
   * Hands our Sign in with Apple key to the function: sets `APPLE_TEAM_ID`, `APPLE_KEY_ID` and
   * `APPLE_PRIVATE_KEY_SECRET_ID`, and grants `secretsmanager:GetSecretValue` on that secret only.
   */
  useAppleKey(key: { secret: ISecret; teamId: string; keyId: string }): this {
    this.addEnvironment('APPLE_TEAM_ID', key.teamId);
    this.addEnvironment('APPLE_KEY_ID', key.keyId);
    this.addEnvironment('APPLE_PRIVATE_KEY_SECRET_ID', key.secret.secretArn);
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [key.secret.secretArn] }),
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
    this.allowSmsPublish(options, [
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [ANY_SNS_ARN],
      }),
    ]);
    return this;
  }

  /**
   * Lets the function send alerts: text phones (as `useSms`) and publish to the alert topic, and
   * no other topic. Sets `SMS_TRANSPORT=sns` and `ALERT_TOPIC_ARN`.
   *
   * Why two conditional denies instead of `useSms`'s plain one: an explicit deny beats every
   * allow, so a deny on all topic ARNs would block the alert topic too, and IAM has no way to write
   * "every topic ARN but this one" in `Resource` (wildcards cannot exclude; `NotResource` would
   * also catch phone numbers, whose request resource is not an SNS ARN). So the denies keep
   * `Resource: arn:*:sns:*:*:*` (topics and platform endpoints, never phones) and carve the alert
   * topic out with conditions. IAM evaluates a publish as follows:
   * - to a phone: the allow on `*` matches; neither deny matches its resource → allowed;
   * - to the alert topic: the allow matches; it carries our tag and is in our account, so neither
   *   deny's condition holds → allowed (its topic policy only denies non-TLS publishes);
   * - to another topic of the account: it lacks the tag (or has another stage's value), so
   *   `StringNotEquals aws:ResourceTag/…` holds → explicitly denied, whatever its topic policy allows;
   * - to a topic in another account, even one an attacker tagged like ours: `StringNotEquals
   *   aws:ResourceAccount` holds → denied.
   * A condition key missing from a request makes `StringNotEquals` true, so these fail closed.
   */
  useAlerts(alertTopic: AlertTopicRef, options: { senderId?: string }): this {
    this.addEnvironment('ALERT_TOPIC_ARN', alertTopic.topic.topicArn);
    this.allowSmsPublish(options, [
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [ANY_SNS_ARN],
        conditions: { StringNotEquals: { [`aws:ResourceTag/${alertTopic.tag.key}`]: alertTopic.tag.value } },
      }),
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sns:Publish'],
        resources: [ANY_SNS_ARN],
        conditions: { StringNotEquals: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
      }),
    ]);
    return this;
  }

  private allowSmsPublish(options: { senderId?: string }, denies: PolicyStatement[]): void {
    // A second call would add a second set of denies, and an unconditional one blocks the topic.
    if (this.smsPublish) throw new Error(`${this.node.path}: use either useSms or useAlerts, once.`);
    this.smsPublish = true;
    this.addEnvironment('SMS_TRANSPORT', 'sns');
    if (options.senderId !== undefined) this.addEnvironment('SMS_SENDER_ID', options.senderId);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    for (const deny of denies) this.addToRolePolicy(deny);
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'SNS Publish to a phone number has no resource ARN, so IAM can only allow it on "*". Explicit denies on ' +
          'SNS topic ARNs in the same policy limit the allow to direct SMS (and, for alert senders, to the one ' +
          'alert topic of this deployment).',
      });
    }
  }

  /**
   * Lets the function read whether an address confirmed its subscription to the alert topic:
   * sets `ALERT_TOPIC_ARN` and grants `sns:GetSubscriptionAttributes` on the topic's
   * subscriptions (`<topic ARN>:<id>`) only.
   */
  useEmailSubscriptionStatus(alertTopic: AlertTopicRef): this {
    this.addEnvironment('ALERT_TOPIC_ARN', alertTopic.topic.topicArn);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:GetSubscriptionAttributes'],
        resources: [alertTopic.subscriptionArns],
      }),
    );
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      const pattern = alertTopic.subscriptionArns
        .replace(Aws.PARTITION, '<AWS::Partition>')
        .replace(Aws.REGION, '<AWS::Region>')
        .replace(Aws.ACCOUNT_ID, '<AWS::AccountId>');
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${pattern}]`,
        reason:
          'A subscription ARN is the topic ARN plus an id SNS makes up when the address subscribes, so ' +
          'reading its confirmation can only be granted on "<topic ARN>:*": the alert topic\'s subscriptions.',
      });
    }
    return this;
  }

  /**
   * Lets the function subscribe e-mail addresses to the alert topic and remove those
   * subscriptions: sets `ALERT_TOPIC_ARN`, grants `sns:Subscribe` on that topic for the `email`
   * protocol only, and `sns:Unsubscribe` on it and its subscriptions (`<topic ARN>:<id>`).
   */
  useEmailSubscriptions(alertTopic: AlertTopicRef): this {
    const topicArn = alertTopic.topic.topicArn;
    this.addEnvironment('ALERT_TOPIC_ARN', topicArn);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:Subscribe'],
        resources: [topicArn],
        conditions: { StringEquals: { 'sns:Protocol': 'email' } },
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:Unsubscribe'],
        resources: [topicArn, alertTopic.subscriptionArns],
      }),
    );
    const policy = this.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      const pattern = alertTopic.subscriptionArns
        .replace(Aws.PARTITION, '<AWS::Partition>')
        .replace(Aws.REGION, '<AWS::Region>')
        .replace(Aws.ACCOUNT_ID, '<AWS::AccountId>');
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${pattern}]`,
        reason:
          'A subscription ARN is the topic ARN plus an id SNS makes up when the address subscribes, so ' +
          'Unsubscribe can only be granted on "<topic ARN>:*": the subscriptions of the alert topic, nothing else.',
      });
    }
    return this;
  }

  /**
   * Hands Plaid to the function: `PLAID_ENV`, `PLAID_SECRET_ID`, `PLAID_WEBHOOK_URL`,
   * `PLAID_CLIENT_ID` and the Link options when set, and `secretsmanager:GetSecretValue` on the
   * Plaid secret only.
   */
  usePlaid(secret: ISecret, settings: PlaidFunctionSettings): this {
    this.addEnvironment('PLAID_ENV', settings.env);
    this.addEnvironment('PLAID_SECRET_ID', secret.secretArn);
    this.addEnvironment('PLAID_WEBHOOK_URL', settings.webhookUrl);
    const optional = {
      PLAID_CLIENT_ID: settings.clientId,
      PLAID_PRODUCTS: settings.products,
      PLAID_COUNTRY_CODES: settings.countryCodes,
      PLAID_CLIENT_NAME: settings.clientName,
      PLAID_REDIRECT_URI: settings.redirectUri,
      PLAID_ANDROID_PACKAGE_NAME: settings.androidPackageName,
      PLAID_LINK_CUSTOMIZATION_NAME: settings.linkCustomizationName,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) this.addEnvironment(name, value);
    }
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    return this;
  }

  /**
   * Hands the key that wraps Plaid access tokens' data keys to the function: sets `TOKEN_KEY_ID`
   * and grants `kms:Encrypt` (linking a bank) or `kms:Decrypt` (using a token) on that key only.
   */
  useTokenKey(key: IKey, use: 'encrypt' | 'decrypt' | 'both'): this {
    this.addEnvironment('TOKEN_KEY_ID', key.keyArn);
    this.addToRolePolicy(
      new PolicyStatement({
        actions:
          use === 'both'
            ? ['kms:Encrypt', 'kms:Decrypt']
            : [use === 'encrypt' ? 'kms:Encrypt' : 'kms:Decrypt'],
        resources: [key.keyArn],
      }),
    );
    return this;
  }

  /**
   * Lets the function put work on the account-deletion queue: sets `DELETION_QUEUE_URL` and grants
   * `sqs:SendMessage` (which also authorizes SendMessageBatch) on that queue only.
   */
  useDeletionQueue(queue: IQueue): this {
    this.addEnvironment('DELETION_QUEUE_URL', queue.queueUrl);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /**
   * Lets the function put messages on a queue: sets `CHECK_QUEUE_URL` and grants `sqs:SendMessage`
   * (which also authorizes SendMessageBatch) on that queue only.
   */
  useCheckQueue(queue: IQueue): this {
    this.addEnvironment('CHECK_QUEUE_URL', queue.queueUrl);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /** Lets the function put verified webhooks on the webhook queue: `WEBHOOK_QUEUE_URL`, `sqs:SendMessage`. */
  useWebhookQueue(queue: IQueue): this {
    this.addEnvironment('WEBHOOK_QUEUE_URL', queue.queueUrl);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }
}

/** Every SNS ARN: topics (and mobile push endpoints) in any region and account. Never a phone number. */
const ANY_SNS_ARN = `arn:${Aws.PARTITION}:sns:*:*:*`;
