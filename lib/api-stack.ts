import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { routeList, routes } from '../functions/api/routes';
import { CORS_POLICY, parseAllowedOrigins } from '../functions/http/cors-policy';
import type { FunctionDeployment } from '../functions/manifest/capabilities';
import { backgroundDeployments, routeDeployments } from '../functions/manifest/function-manifest';
import { AccountDeletion } from './constructs/account-deletion';
import type { AlertTopicRef } from './constructs/alert-topic';
import { BankLinkPoller } from './constructs/bank-link-poller';
import { type CapabilityResources, grantCapabilities } from './constructs/capability-grants';
import { OperationsDashboard } from './constructs/operations-dashboard';
import { PublicSigningKeys } from './constructs/public-signing-keys';
import { type PlaidFunctionSettings, ServiceFunction } from './constructs/service-function';
import { SmsAlarms } from './constructs/sms-alarms';
import { WebhookPipeline } from './constructs/webhook-pipeline';
import type { DeploymentSettings } from './settings';

export interface ApiStackProps extends StackProps {
  settings: DeploymentSettings;
  /** From the stateful stack. */
  table: ITable;
  /** From the stateful stack. */
  signingKeys: ISecret;
  /** From the stateful stack. */
  smsPepper: ISecret;
  /** From the stateful stack. */
  wechatAppSecret: ISecret;
  /** From the stateful stack. */
  plaidSecret: ISecret;
  /** From the stateful stack. */
  appleKey: ISecret;
  /** From the stateful stack. */
  tokenKey: IKey;
  /** From the stateful stack. */
  alertTopic: AlertTopicRef;
}

/** Where Plaid sends webhooks, under the API's own URL unless the `plaidWebhookUrl` setting says otherwise. */
export const PLAID_WEBHOOK_PATH = routes.plaidWebhook.path;

/** Stage-wide limits; a route's function can still be throttled lower by its own concurrency. */
export const STAGE_THROTTLE = { burstLimit: 200, rateLimit: 100 } as const;

/** argon2id needs ~20 MB a hash and, more to the point, CPU, which Lambda scales with memory. */
const memoryFor = (deployment: FunctionDeployment) =>
  deployment.nodeModules?.includes('@node-rs/argon2') ? 1024 : 512;

/**
 * The HTTP API and its functions: one function and one route per entry of the route table
 * (`functions/api/routes.ts`), each granted exactly the capabilities its deployment manifest
 * entry lists (`functions/manifest/function-manifest.ts`: table actions, secrets, SMS, Plaid, the
 * token key, alerts). `user` routes sit behind the Lambda authorizer. Also the
 * bank-link poller and the alarms. Stateless: safe to destroy and redeploy.
 *
 * @example
 * new ApiStack(app, 'LinkGuard-dev-Api', { settings, table: data.table, signingKeys: data.signingKeys });
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  /** Function of each route, by route id. */
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  readonly poller: BankLinkPoller;
  readonly webhooks: WebhookPipeline;
  readonly accountDeletion: AccountDeletion;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, { description: `LinkGuard ${props.settings.stage}: HTTP API and functions.`, ...props });
    const { settings, table, signingKeys } = props;
    // Strong (exports and imports): CloudFormation refuses to delete the stateful stack, or a
    // resource in it, while this stack still uses it. Removing a use takes two deploys
    // (docs/deploying.md), a fair price for data that cannot vanish under a running API.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.api = new HttpApi(this, 'Api', {
      apiName: `linkguard-${settings.stage}`,
      description: 'LinkGuard: unified sign-in and bank-link health.',
      // Browsers' preflights (OPTIONS) are answered by API Gateway itself, before any authorizer,
      // from the same origins the functions' middleware reads (CORS_ALLOWED_ORIGINS).
      corsPreflight: corsPreflight(settings.corsAllowedOrigins),
      // The default stage is made below, because only an explicit stage takes access-log settings.
      createDefaultStage: false,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: STAGE_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: settings.logRetention }),
        ),
        format: accessLogFormat(),
      },
    });

    const environment: Record<string, string> = {
      JWT_ISSUER: settings.issuer ?? this.api.apiEndpoint,
      JWT_AUDIENCE: settings.audience,
      ...(settings.corsAllowedOrigins === undefined
        ? {}
        : { CORS_ALLOWED_ORIGINS: settings.corsAllowedOrigins }),
      // Read by no code: a new value only replaces the functions' containers (key rotation).
      ...(settings.keysRevision === undefined ? {} : { SIGNING_KEYS_REVISION: settings.keysRevision }),
      ...(settings.smsAllowedCountries === undefined
        ? {}
        : { SMS_ALLOWED_COUNTRIES: settings.smsAllowedCountries }),
      ...(settings.smsDailyCap === undefined ? {} : { SMS_DAILY_CAP: settings.smsDailyCap }),
      ...(settings.smsTestNumbers === undefined ? {} : { SMS_TEST_NUMBERS: settings.smsTestNumbers }),
      ...(settings.passwordResetUrl === undefined ? {} : { PASSWORD_RESET_URL: settings.passwordResetUrl }),
      ...providerEnvironment(settings),
      // Every function that writes an Item computes its shard of the next-check index: one value.
      POLLER_SHARDS: String(settings.poller.shards),
      // Read with the poller's settings by every function that checks or writes an Item.
      ...(settings.poller.staleAfterHours === undefined
        ? {}
        : { ITEM_STALE_AFTER_HOURS: String(settings.poller.staleAfterHours) }),
      ...(settings.poller.breakerFaults === undefined
        ? {}
        : { POLLER_BREAKER_FAULTS: String(settings.poller.breakerFaults) }),
      ...(settings.poller.breakerPauseMinutes === undefined
        ? {}
        : { POLLER_BREAKER_PAUSE_MINUTES: String(settings.poller.breakerPauseMinutes) }),
    };
    const common = { logRetention: settings.logRetention, logLevel: settings.logLevel, environment };

    const plaid: PlaidFunctionSettings = {
      env: settings.plaid.env,
      clientId: settings.plaid.clientId,
      webhookUrl: settings.plaid.webhookUrl ?? `${this.api.apiEndpoint}${PLAID_WEBHOOK_PATH}`,
      products: settings.plaid.products,
      countryCodes: settings.plaid.countryCodes,
      clientName: settings.plaid.clientName,
      redirectUri: settings.plaid.redirectUri,
      androidPackageName: settings.plaid.androidPackageName,
      linkCustomizationName: settings.plaid.linkCustomizationName,
    };
    const publicKeys = new PublicSigningKeys(this, 'PublicSigningKeys', {
      signingKeys,
      revision: settings.keysRevision,
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
    });
    const resources: CapabilityResources = {
      table,
      signingKeys,
      publicJwks: publicKeys.jwks,
      smsPepper: props.smsPepper,
      wechatAppSecret: settings.providers.wechatAppId === undefined ? undefined : props.wechatAppSecret,
      plaidSecret: props.plaidSecret,
      appleKey:
        settings.providers.appleTeamId === undefined || settings.providers.appleKeyId === undefined
          ? undefined
          : {
              secret: props.appleKey,
              teamId: settings.providers.appleTeamId,
              keyId: settings.providers.appleKeyId,
            },
      plaid,
      tokenKey: props.tokenKey,
      alertTopic: props.alertTopic,
      smsSenderId: settings.smsSenderId,
    };
    this.webhooks = new WebhookPipeline(this, 'Webhooks', { common, resources });
    resources.webhookQueue = this.webhooks.queue;

    this.accountDeletion = new AccountDeletion(this, 'AccountDeletion', { common, resources });
    resources.deletionQueue = this.accountDeletion.queue;

    const authorizerFunction = new ServiceFunction(this, 'Authorizer', {
      ...common,
      handler: backgroundDeployments.authorizer.handler,
      description:
        'HTTP API Lambda authorizer: verifies access tokens with public keys; reads the revocation list every 15 s.',
    });
    grantCapabilities(authorizerFunction, backgroundDeployments.authorizer.capabilities, resources);
    const authorizer = new HttpLambdaAuthorizer('AccessToken', authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // No identity source, which API Gateway allows only with caching off: a request with no
      // Authorization header still reaches the authorizer, whose `rejected` context makes the
      // route answer our 401 problem document instead of API Gateway's bare 401.
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    const functions = new Map<string, ServiceFunction>();
    for (const route of routeList) {
      const deployment: FunctionDeployment = routeDeployments[route.id];
      const fn = new ServiceFunction(this, constructId(route.id), {
        ...common,
        handler: route.handler,
        description: `${route.method} ${route.path}`,
        memorySize: memoryFor(deployment),
        ...(deployment.nodeModules === undefined ? {} : { nodeModules: deployment.nodeModules }),
      });
      grantCapabilities(fn, deployment.capabilities, resources);
      functions.set(route.id, fn);
      const [apiRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${constructId(route.id)}Integration`, fn),
        ...(route.auth === 'user' ? { authorizer } : {}),
      });
      if (route.auth === 'public' && apiRoute !== undefined) {
        Validations.of(apiRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            `${route.method} ${route.path} is public by design (the route table marks it 'public'): the sign-in ` +
            'and token endpoints are what a caller without a token uses, and the JWKS and OpenAPI documents are ' +
            "public. Abuse is bounded by the stage's throttling and the functions' lockout and send limits.",
        });
      }
    }
    this.functions = functions;
    new SmsAlarms(this, 'SmsAlarms', { monthlyBudgetUsd: settings.smsMonthlyBudgetUsd });
    new OperationsDashboard(this, 'Operations');

    this.poller = new BankLinkPoller(this, 'Poller', {
      common,
      stage: settings.stage,
      resources,
      concurrency: settings.poller.concurrency,
      scheduleMinutes: settings.poller.scheduleMinutes,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'Issuer', { value: environment.JWT_ISSUER ?? '' });
  }
}

/**
 * The HTTP API's CORS configuration from the `corsAllowedOrigins` setting (comma-separated; unset
 * means `*`, the functions' default). No credentials: clients send bearer tokens, not cookies.
 */
export function corsPreflight(origins: string | undefined): CorsPreflightOptions {
  const allowOrigins = parseAllowedOrigins(origins);
  const methods = [...new Set(routeList.map((r) => r.method))].sort();
  return {
    allowOrigins,
    allowMethods: methods.map((m) => CorsHttpMethod[m as keyof typeof CorsHttpMethod]),
    allowHeaders: [...CORS_POLICY.allowHeaders],
    exposeHeaders: [...CORS_POLICY.exposeHeaders],
    allowCredentials: false,
    maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
  };
}

/** The provider ids the social routes read; a provider without one stays disabled. */
function providerEnvironment(settings: DeploymentSettings): Record<string, string> {
  const { wechatAppId, qqAppId, appleClientIds, googleClientIds } = settings.providers;
  return {
    ...(wechatAppId === undefined ? {} : { WECHAT_APP_ID: wechatAppId }),
    ...(qqAppId === undefined ? {} : { QQ_APP_ID: qqAppId }),
    ...(appleClientIds === undefined ? {} : { APPLE_CLIENT_IDS: appleClientIds }),
    ...(googleClientIds === undefined ? {} : { GOOGLE_CLIENT_IDS: googleClientIds }),
  };
}

/** `listSessions` → `ListSessions`: stable logical ids derived from the route table. */
const constructId = (routeId: string) => routeId.charAt(0).toUpperCase() + routeId.slice(1);

/** One JSON object per request. No headers, bodies or query strings: they can carry credentials. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      time: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      routeKey: AccessLogField.contextRouteKey(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationError: AccessLogField.contextIntegrationErrorMessage(),
      authorizerError: AccessLogField.contextAuthorizerError(),
      userId: AccessLogField.contextAuthorizer('userId'),
    }),
  );
}
