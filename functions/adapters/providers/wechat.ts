import { ProviderRejectedError, ProviderUnavailableError } from '../../domain/errors';
import type { ProviderProfile } from '../../domain/social-credentials';
import { getProviderJson, providerUrl, str } from './provider-http';

export interface WeChatSettings {
  baseUrl: string;
  appId: string;
  /** Our AppSecret: only ever sent to WeChat, in the code exchange. */
  appSecret: () => Promise<string>;
  timeoutMs: number;
}

/**
 * WeChat Open Platform sign-in. WeChat answers errors with HTTP 200 and a non-zero `errcode`,
 * so every answer is checked for one. The subject is `unionid` when the app is bound to an
 * Open Platform account (the same person across our apps), else `openid`.
 *
 * @example
 * const profile = await new WeChatVerifier(settings).verify({ code });
 */
export class WeChatVerifier {
  constructor(private readonly settings: WeChatSettings) {}

  async verify(
    credential: { code: string } | { accessToken: string; openId: string },
  ): Promise<ProviderProfile> {
    let accessToken: string;
    let openId: string;
    let unionId: string | undefined;
    if ('code' in credential) {
      // Preferred: the SDK's one-time code, exchanged with our AppSecret (never in the app).
      const token = await this.call('sns/oauth2/access_token', {
        appid: this.settings.appId,
        secret: await this.settings.appSecret(),
        code: credential.code,
        grant_type: 'authorization_code',
      });
      accessToken = str(token, 'access_token') ?? '';
      openId = str(token, 'openid') ?? '';
      unionId = str(token, 'unionid');
      if (accessToken === '' || openId === '') throw new ProviderRejectedError('WeChat returned no token.');
    } else {
      // Classic: a token the app holds; `sns/auth` says whether it is valid for that openid.
      await this.call('sns/auth', { access_token: credential.accessToken, openid: credential.openId });
      accessToken = credential.accessToken;
      openId = credential.openId;
    }
    const user = await this.call('sns/userinfo', { access_token: accessToken, openid: openId });
    if (str(user, 'openid') !== openId)
      throw new ProviderRejectedError('WeChat profile is for another user.');
    unionId ??= str(user, 'unionid');
    return {
      provider: 'wechat',
      subject: unionId ?? openId,
      ...(str(user, 'nickname') === undefined ? {} : { nickname: str(user, 'nickname') as string }),
      ...(str(user, 'headimgurl') === undefined ? {} : { avatarUrl: str(user, 'headimgurl') as string }),
    };
  }

  private async call(path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const url = providerUrl(this.settings.baseUrl, path, query);
    const body = await getProviderJson('WeChat', url, this.settings.timeoutMs);
    const errcode = body.errcode;
    if (errcode !== undefined && errcode !== 0) {
      // -1 is WeChat's "system busy": unavailable, not a refusal.
      if (errcode === -1) throw new ProviderUnavailableError('WeChat', new Error('errcode -1'));
      throw new ProviderRejectedError(`WeChat error ${String(errcode)}.`);
    }
    return body;
  }
}
