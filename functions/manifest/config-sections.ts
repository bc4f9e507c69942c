import type { ConfigSection } from '../config/config';
import type { Capabilities } from './capabilities';

/** The configuration each capability needs, checked at the function's cold start. */
const SECTIONS_OF: { [K in keyof Required<Capabilities>]: readonly ConfigSection[] } = {
  table: ['table', 'accounts'],
  tableIndex: ['table'],
  signingKeys: ['accessTokens'],
  publicKeys: ['publicKeys'],
  smsPepper: ['sms', 'smsPepper'],
  sms: ['sms'],
  providers: ['providers'],
  appleKey: ['providers', 'appleKey'],
  plaid: ['plaid', 'poller'],
  tokenKey: ['tokenKey'],
  alerts: ['sms', 'alertTopic'],
  securityNotices: ['table', 'sms', 'alertTopic'],
  emailSubscriptions: ['sms', 'alertTopic'],
  checkQueue: ['poller', 'checkQueue'],
  webhookQueue: ['poller', 'webhookQueue'],
  deletionQueue: ['deletionQueue'],
};

/**
 * The configuration sections a function with `capabilities` needs: its capabilities' and the
 * base (plus CORS for an HTTP function), nothing else.
 *
 * @example
 * configSectionsFor({ table: ['dynamodb:Query'] }, { http: true }) // ['base', 'http', 'table', 'accounts']
 */
export function configSectionsFor(capabilities: Capabilities, options: { http: boolean }): ConfigSection[] {
  const sections: ConfigSection[] = ['base', ...(options.http ? (['http'] as const) : [])];
  for (const name of Object.keys(capabilities) as (keyof Capabilities)[]) {
    if (capabilities[name] !== undefined) sections.push(...SECTIONS_OF[name]);
  }
  return [...new Set(sections)];
}
