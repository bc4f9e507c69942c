import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './fixture';

const { data, apiTemplate } = synthesize({ smsMonthlyBudgetUsd: '200', smsSenderId: 'LinkGuard' });

describe('SMS infrastructure', () => {
  it('keeps a generated, retained pepper secret in the stateful stack', () => {
    data.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('lets only the send function publish, to phone numbers only, as the configured sender', () => {
    apiTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }),
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] },
          }),
        ]),
      },
    });
    apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'POST /v1/auth/sms/send',
      Environment: { Variables: Match.objectLike({ SMS_TRANSPORT: 'sns', SMS_SENDER_ID: 'LinkGuard' }) },
    });
  });

  it('alarms on month-to-date spend at 80% of the limit, and on failed deliveries', () => {
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Threshold: 160,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    apiTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [{ Name: 'PhoneNumber', Value: 'PhoneNumberDirect' }],
    });
  });

  it('gives the pepper to exactly the functions that hash codes', () => {
    const withPepper = Object.values(apiTemplate.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.SMS_PEPPER_SECRET_ID !== undefined,
    );
    expect(withPepper.map((fn) => fn.Properties.Description).sort()).toEqual([
      'POST /v1/auth/password/reset',
      'POST /v1/auth/reauth',
      'POST /v1/auth/sms/send',
      'POST /v1/auth/sms/verify',
      'POST /v1/me/identities/phone',
      'PUT /v1/me/phone',
    ]);
  });
});
