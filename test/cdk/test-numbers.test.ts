import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/settings';
import { synthesize } from './fixture';

const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);
const NUMBERS = '+8613800000077:246810,+15555550100:135790';

describe('App-review and test phone numbers in the CDK app', () => {
  it('refuses test numbers in a stage marked production, naming the setting that allows them', () => {
    // Act / Assess: a whole synth fails, as `cdk synth -c production=true -c smsTestNumbers=…` would.
    expect(() => synthesize({ stage: 'prod', production: 'true', smsTestNumbers: NUMBERS })).toThrow(
      /marked production.*smsTestNumbers.*allowTestNumbersInProduction/s,
    );
  });

  it('refuses a reason too short to be one', () => {
    expect(() =>
      settingsOf({ production: 'true', smsTestNumbers: NUMBERS, allowTestNumbersInProduction: 'yes' }),
    ).toThrow(/allowTestNumbersInProduction/);
  });

  it('keeps them in production with a stated reason, and hands them to the functions', () => {
    // Act
    const { apiTemplate } = synthesize({
      stage: 'prod',
      production: 'true',
      smsTestNumbers: NUMBERS,
      allowTestNumbersInProduction: 'App Store review demo login, removed after approval',
    });

    // Assess
    const sender = Object.values(apiTemplate.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Description === 'POST /v1/auth/sms/send',
    );
    expect(sender?.Properties.Environment.Variables.SMS_TEST_NUMBERS).toBe(NUMBERS);
  });

  it('allows them outside production, and has none unless given', () => {
    expect(settingsOf({ smsTestNumbers: NUMBERS })).toMatchObject({
      smsTestNumbers: NUMBERS,
      production: false,
    });
    expect(settingsOf({ production: 'true' })).toMatchObject({ smsTestNumbers: undefined, production: true });
  });

  it('refuses a malformed list', () => {
    expect(() => settingsOf({ smsTestNumbers: '+8613800000077:12' })).toThrow(/smsTestNumbers/);
  });
});
