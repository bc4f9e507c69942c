import { ProviderRejectedError, ProviderUnavailableError } from '../../functions/domain/errors';
import type {
  IdentityProviders,
  ProviderProfile,
  SocialCredential,
} from '../../functions/domain/social-credentials';

/**
 * {@link IdentityProviders} over profiles the test registers: a credential is accepted if its
 * secret part (code, access token or id token) was registered with `accept`. Set `down` to make
 * the provider unavailable.
 */
export class FakeIdentityProviders implements IdentityProviders {
  private readonly accepted = new Map<string, ProviderProfile>();
  down = false;

  /** Registers the credential secret that proves `profile`. */
  accept(secret: string, profile: ProviderProfile): void {
    this.accepted.set(secret, { ...profile });
  }

  async verify(credential: SocialCredential): Promise<ProviderProfile> {
    if (this.down) throw new ProviderUnavailableError(credential.provider);
    const secret =
      'code' in credential
        ? credential.code
        : 'idToken' in credential
          ? credential.idToken
          : credential.accessToken;
    const profile = this.accepted.get(secret);
    if (profile === undefined || profile.provider !== credential.provider) {
      throw new ProviderRejectedError('unknown credential');
    }
    return { ...profile };
  }
}
