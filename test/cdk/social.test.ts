import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deployedRoutes as routeList } from '../../functions/manifest/function-manifest';
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

  it('lets only the functions that sign with it read the Apple key, and sets its ids beside it', () => {
    // Prepare
    const { data, apiTemplate } = synthesize({
      appleClientIds: 'com.example.app',
      appleTeamId: 'ABCDE12345',
      appleKeyId: 'KEY1234567',
    });
    data.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Sign in with Apple private key') }),
      DeletionPolicy: 'Retain',
    });

    // Act
    const functions = Object.values(apiTemplate.findResources('AWS::Lambda::Function'));
    const policies = Object.values(apiTemplate.findResources('AWS::IAM::Policy'));
    const readers = policies
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('AppleSignInKey'))
      .flatMap((policy) => policy.Properties.Roles.map((role: { Ref: string }) => role.Ref))
      .sort();
    const withKey = functions.filter(
      (fn) => fn.Properties.Environment?.Variables?.APPLE_PRIVATE_KEY_SECRET_ID,
    );

    // Assess
    expect(withKey.map((fn) => fn.Properties.Description).sort()).toEqual(
      [
        ...routeList.filter((r) => r.capabilities.appleKey === 'sign').map((r) => `${r.method} ${r.path}`),
        'Account deletion: removes bank links at Plaid, revokes Apple tokens (deletion queue).',
      ].sort(),
    );
    expect(readers).toEqual(withKey.map((fn) => fn.Properties.Role['Fn::GetAtt'][0]).sort());
    for (const fn of withKey)
      expect(fn.Properties.Environment.Variables).toMatchObject({
        APPLE_TEAM_ID: 'ABCDE12345',
        APPLE_KEY_ID: 'KEY1234567',
      });
  });

  it('gives no function the Apple key while its team and key ids are not set', () => {
    const { apiTemplate } = synthesize({ appleClientIds: 'com.example.app' });
    expect(JSON.stringify(apiTemplate.toJSON())).not.toContain('AppleSignInKey');
  });
});
