import { ProviderNotConfiguredError } from '../../domain/errors';
import type { IdentityProviders, ProviderProfile, SocialCredential } from '../../domain/social-credentials';
import type { OidcVerifier } from './oidc';
import type { QqVerifier } from './qq';
import type { WeChatVerifier } from './wechat';

/**
 * Sends each credential to its provider's verifier. A provider this deployment has no
 * credentials for answers 503 `PROVIDER_NOT_CONFIGURED`: the operator's to fix, not the user's.
 */
export class ProviderRouter implements IdentityProviders {
  constructor(
    private readonly verifiers: {
      wechat?: WeChatVerifier;
      qq?: QqVerifier;
      apple?: OidcVerifier;
      google?: OidcVerifier;
    },
  ) {}

  verify(credential: SocialCredential): Promise<ProviderProfile> {
    switch (credential.provider) {
      case 'wechat':
        return this.need(this.verifiers.wechat, 'WeChat').verify(credential);
      case 'qq':
        return this.need(this.verifiers.qq, 'QQ').verify(credential);
      case 'apple':
        return this.need(this.verifiers.apple, 'Apple').verify(credential);
      case 'google':
        return this.need(this.verifiers.google, 'Google').verify(credential);
    }
  }

  private need<T>(verifier: T | undefined, name: string): T {
    if (verifier === undefined) throw new ProviderNotConfiguredError(name);
    return verifier;
  }
}
