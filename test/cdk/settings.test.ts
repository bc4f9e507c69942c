import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/settings';
import { synthesize } from './fixture';

const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('Function: readSettings', () => {
  it('defaults to the dev stage, INFO logs kept a month, and the linkguard-api audience', () => {
    // Act
    const settings = settingsOf({});

    // Assess
    expect(settings).toMatchObject({
      stage: 'dev',
      audience: 'linkguard-api',
      logLevel: 'INFO',
      logRetention: RetentionDays.ONE_MONTH,
      issuer: undefined,
      corsAllowedOrigins: undefined,
      keysRevision: undefined,
      plaid: {
        clientId: undefined,
        env: 'sandbox',
        products: undefined,
        countryCodes: undefined,
        clientName: undefined,
        webhookUrl: undefined,
        redirectUri: undefined,
        androidPackageName: undefined,
        linkCustomizationName: undefined,
      },
      poller: { shards: 16, concurrency: 16, scheduleMinutes: 15 },
    });
  });

  it('reads every value from context', () => {
    // Act
    const settings = settingsOf({
      stage: 'prod',
      account: '123456789012',
      region: 'eu-west-1',
      issuer: 'https://api.example.com',
      audience: 'example-app',
      corsAllowedOrigins: 'https://app.example.com',
      logLevel: 'warn',
      logRetentionDays: '90',
      keysRevision: 7,
      smsSenderId: 'LinkGuard',
      smsAllowedCountries: 'CN,HK',
      smsDailyCap: 500,
      smsMonthlyBudgetUsd: '250',
      wechatAppId: 'wx123',
      googleClientIds: 'ios.apps.googleusercontent.com,android.apps.googleusercontent.com',
      plaidClientId: '5f0c0ffee0c0ffee0c0ffee0',
      plaidEnv: 'production',
      plaidProducts: 'transactions,auth',
      plaidCountryCodes: 'US,CA',
      plaidClientName: 'Example Money',
      plaidWebhookUrl: 'https://api.example.com/v1/plaid/webhook',
      plaidRedirectUri: 'https://app.example.com/plaid/oauth',
      plaidAndroidPackageName: 'com.example.money',
      plaidLinkCustomizationName: 'money',
      pollerShards: '32',
      pollerConcurrency: 40,
      pollerScheduleMinutes: '5',
      itemStaleAfterHours: '48',
      pollerBreakerFaults: 10,
      pollerBreakerPauseMinutes: '30',
      passwordResetUrl: 'https://app.example.com/reset-password',
    });

    // Assess
    expect(settings).toEqual({
      stage: 'prod',
      env: { account: '123456789012', region: 'eu-west-1' },
      issuer: 'https://api.example.com',
      audience: 'example-app',
      corsAllowedOrigins: 'https://app.example.com',
      logLevel: 'WARN',
      logRetention: RetentionDays.THREE_MONTHS,
      keysRevision: '7',
      smsSenderId: 'LinkGuard',
      smsAllowedCountries: 'CN,HK',
      smsDailyCap: '500',
      smsTestNumbers: undefined,
      passwordResetUrl: 'https://app.example.com/reset-password',
      production: false,
      allowTestNumbersInProduction: undefined,
      smsMonthlyBudgetUsd: 250,
      providers: {
        wechatAppId: 'wx123',
        qqAppId: undefined,
        appleClientIds: undefined,
        appleTeamId: undefined,
        appleKeyId: undefined,
        googleClientIds: 'ios.apps.googleusercontent.com,android.apps.googleusercontent.com',
      },
      plaid: {
        clientId: '5f0c0ffee0c0ffee0c0ffee0',
        env: 'production',
        products: 'transactions,auth',
        countryCodes: 'US,CA',
        clientName: 'Example Money',
        webhookUrl: 'https://api.example.com/v1/plaid/webhook',
        redirectUri: 'https://app.example.com/plaid/oauth',
        androidPackageName: 'com.example.money',
        linkCustomizationName: 'money',
      },
      poller: {
        shards: 32,
        concurrency: 40,
        scheduleMinutes: 5,
        staleAfterHours: 48,
        breakerFaults: 10,
        breakerPauseMinutes: 30,
      },
    });
  });

  it.each([
    [{ stage: 'Prod_1' }, /"stage"/],
    [{ logLevel: 'chatty' }, /"logLevel"/],
    [{ logRetentionDays: '31' }, /"logRetentionDays"/],
    [{ issuer: { url: 'x' } }, /"issuer"/],
    [{ smsMonthlyBudgetUsd: '-5' }, /"smsMonthlyBudgetUsd"/],
    [{ plaidEnv: 'development' }, /"plaidEnv"/],
    [{ plaidClientName: 'A name far longer than thirty characters' }, /"plaidClientName"/],
    [{ plaidWebhookUrl: 'http://api.example.com/v1/plaid/webhook' }, /"plaidWebhookUrl"/],
    [{ plaidRedirectUri: 'myapp://plaid' }, /"plaidRedirectUri"/],
    [{ plaidAndroidPackageName: 'not a package' }, /"plaidAndroidPackageName"/],
    [{ passwordResetUrl: 'app.example.com/reset' }, /"passwordResetUrl"/],
    [{ pollerShards: '0' }, /"pollerShards"/],
    [{ pollerShards: '300' }, /"pollerShards"/],
    // SQS event sources accept a maximum concurrency of 2 at least.
    [{ pollerConcurrency: '1' }, /"pollerConcurrency"/],
    [{ pollerConcurrency: '2.5' }, /"pollerConcurrency"/],
    [{ pollerScheduleMinutes: '0' }, /"pollerScheduleMinutes"/],
    [{ itemStaleAfterHours: '0' }, /"itemStaleAfterHours"/],
    [{ itemStaleAfterHours: '2161' }, /"itemStaleAfterHours"/],
    [{ pollerBreakerFaults: '0' }, /"pollerBreakerFaults"/],
    [{ pollerBreakerPauseMinutes: '1441' }, /"pollerBreakerPauseMinutes"/],
  ])('refuses %o, naming the key', (context, message) => {
    expect(() => settingsOf(context)).toThrow(message);
  });
});

describe('Context: deployment settings in the stacks', () => {
  const { stateful, api, apiTemplate } = synthesize({
    stage: 'prod',
    issuer: 'https://api.example.com',
    corsAllowedOrigins: 'https://app.example.com',
    logRetentionDays: 365,
    keysRevision: '2026-11-22',
    itemStaleAfterHours: '48',
    pollerBreakerFaults: '10',
    pollerBreakerPauseMinutes: '30',
  });

  it('names the stacks after the stage', () => {
    expect([stateful.stackName, api.stackName]).toEqual(['LinkGuard-prod-Data', 'LinkGuard-prod-Api']);
  });

  it('uses a configured issuer and CORS origins instead of the defaults', () => {
    apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'POST /v1/auth/login',
      Environment: {
        Variables: { JWT_ISSUER: 'https://api.example.com', CORS_ALLOWED_ORIGINS: 'https://app.example.com' },
      },
    });
  });

  it('hands a keys revision to every function of the API, so that a new one restarts them all', () => {
    const functions = servingFunctions(apiTemplate);
    expect(functions.length).toBeGreaterThanOrEqual(30);
    for (const fn of functions) expect(fn.Environment?.Variables?.SIGNING_KEYS_REVISION).toBe('2026-11-22');
    // The publisher is re-run by the revision itself (a property of its custom resource).
    expect(
      Object.values(apiTemplate.findResources('Custom::PublicSigningKeys')).map((r) => r.Properties.Revision),
    ).toEqual(['2026-11-22']);
  });

  it('hands the staleness threshold and the breaker settings to the functions that check Items (issue 11)', () => {
    for (const description of ['POST /v1/plaid/items/{itemId}/repair', 'POST /v1/plaid/items']) {
      apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        Environment: {
          Variables: {
            ITEM_STALE_AFTER_HOURS: '48',
            POLLER_BREAKER_FAULTS: '10',
            POLLER_BREAKER_PAUSE_MINUTES: '30',
          },
        },
      });
    }
  });

  it('keeps logs as long as configured', () => {
    apiTemplate.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });
});

/** The API's functions that serve requests or work the queue: not the deploy-time public-key publisher and its provider. */
const servingFunctions = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => !id.startsWith('PublicSigningKeys'))
    .map(([, resource]) => resource.Properties as { Environment?: { Variables?: Record<string, unknown> } });
