import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './fixture';

describe('Third-party sign-in infrastructure', () => {
  it('enables each provider only when its id is given, and hands the WeChat secret to the social routes only', () => {
    const { data, apiTemplate } = synthesize({ wechatAppId: 'wx123', appleClientIds: 'com.example.app' });
    data.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('WeChat Open Platform AppSecret') }),
      DeletionPolicy: 'Retain',
    });
    const functions = Object.values(apiTemplate.findResources('AWS::Lambda::Function'));
    const withSecret = functions
      .filter((fn) => fn.Properties.Environment?.Variables?.WECHAT_APP_SECRET_ID !== undefined)
      .map((fn) => fn.Properties.Description)
      .sort();
    expect(withSecret).toEqual([
      'POST /v1/auth/reauth',
      'POST /v1/auth/social',
      'POST /v1/me/identities/social',
    ]);
    const social = functions.find((fn) => fn.Properties.Description === 'POST /v1/auth/social');
    expect(social?.Properties.Environment.Variables).toMatchObject({
      WECHAT_APP_ID: 'wx123',
      APPLE_CLIENT_IDS: 'com.example.app',
    });
    expect(social?.Properties.Environment.Variables.QQ_APP_ID).toBeUndefined();
  });

  it('gives no function the WeChat secret while WeChat is not enabled', () => {
    const { apiTemplate } = synthesize();
    const functions = Object.values(apiTemplate.findResources('AWS::Lambda::Function'));
    expect(
      functions.filter((fn) => fn.Properties.Environment?.Variables?.WECHAT_APP_SECRET_ID !== undefined),
    ).toEqual([]);
  });
});
