import { ProviderRejectedError } from '../../domain/errors';
import type { ProviderProfile } from '../../domain/social-credentials';
import { getProviderJson, providerUrl, str } from './provider-http';

export interface QqSettings {
  baseUrl: string;
  appId: string;
  timeoutMs: number;
}

/**
 * QQ Connect sign-in. `oauth2.0/me` says which app a token was minted for: a token whose
 * `client_id` is not our app id is refused, or any QQ app could sign its users in as ours.
 * The profile (`user/get_user_info`) must answer `ret: 0`.
 *
 * @example
 * const profile = await new QqVerifier(settings).verify({ accessToken });
 */
export class QqVerifier {
  constructor(private readonly settings: QqSettings) {}

  async verify(credential: { accessToken: string }): Promise<ProviderProfile> {
    const me = await getProviderJson(
      'QQ',
      this.url('oauth2.0/me', { access_token: credential.accessToken, fmt: 'json', unionid: '1' }),
      this.settings.timeoutMs,
    );
    if (str(me, 'error') !== undefined || me.error !== undefined) {
      throw new ProviderRejectedError(`QQ error ${String(me.error)}.`);
    }
    const clientId = str(me, 'client_id');
    const openId = str(me, 'openid');
    if (clientId !== this.settings.appId)
      throw new ProviderRejectedError('The QQ token was issued to another app.');
    if (openId === undefined) throw new ProviderRejectedError('QQ returned no openid.');

    const info = await getProviderJson(
      'QQ',
      this.url('user/get_user_info', {
        access_token: credential.accessToken,
        oauth_consumer_key: this.settings.appId,
        openid: openId,
      }),
      this.settings.timeoutMs,
    );
    if (info.ret !== 0) throw new ProviderRejectedError(`QQ profile error ${String(info.ret)}.`);
    const avatar = str(info, 'figureurl_qq_2') ?? str(info, 'figureurl_qq_1');
    return {
      provider: 'qq',
      subject: str(me, 'unionid') ?? openId,
      ...(str(info, 'nickname') === undefined ? {} : { nickname: str(info, 'nickname') as string }),
      ...(avatar === undefined ? {} : { avatarUrl: avatar }),
    };
  }

  private url(path: string, query: Record<string, string>): URL {
    return providerUrl(this.settings.baseUrl, path, query);
  }
}
