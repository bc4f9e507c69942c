import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  type Capabilities,
  publishesAlerts,
  SECURITY_NOTICE_LEDGER,
} from '../../functions/manifest/capabilities';
import type { AlertTopicRef } from './alert-topic';
import type { PlaidFunctionSettings, ServiceFunction } from './service-function';

/** The resources capabilities are granted on, and the deployment settings they carry. */
export interface CapabilityResources {
  table: ITable;
  signingKeys: ISecret;
  /** The public JWKS published at deploy time (a token), for `publicKeys`. */
  publicJwks: string;
  smsPepper: ISecret;
  /** Unset while WeChat is not set up: `providers` then reads no secret. */
  wechatAppSecret: ISecret | undefined;
  plaidSecret: ISecret;
  /** Unset while Apple's team and key ids are not set: `appleKey` then reads no secret. */
  appleKey: { secret: ISecret; teamId: string; keyId: string } | undefined;
  plaid: PlaidFunctionSettings;
  tokenKey: IKey;
  alertTopic: AlertTopicRef;
  smsSenderId: string | undefined;
  checkQueue?: IQueue;
  webhookQueue?: IQueue;
  deletionQueue?: IQueue;
}

/**
 * Grants `fn` exactly its manifest's capabilities (`functions/manifest/function-manifest.ts`):
 * each one through the `ServiceFunction` method that sets its environment and its permission
 * together, nothing more.
 *
 * @example
 * grantCapabilities(fn, routeDeployments.login.capabilities, resources);
 */
export function grantCapabilities(
  fn: ServiceFunction,
  capabilities: Capabilities,
  on: CapabilityResources,
): void {
  if (capabilities.table !== undefined) {
    fn.useTable(on.table, capabilities.table.actions, { partitionKeys: capabilities.table.partitionKeys });
  }
  if (capabilities.tableIndex !== undefined) fn.useTableIndex(on.table, capabilities.tableIndex);
  if (capabilities.signingKeys === 'read') fn.useSigningKeys(on.signingKeys);
  if (capabilities.publicKeys === 'read') fn.usePublicKeys(on.publicJwks);
  if (capabilities.smsPepper === 'read') fn.useSmsPepper(on.smsPepper);
  if (capabilities.providers === 'verify' && on.wechatAppSecret !== undefined) {
    fn.useProviderSecrets(on.wechatAppSecret);
  }
  if (capabilities.appleKey === 'sign' && on.appleKey !== undefined) fn.useAppleKey(on.appleKey);
  if (capabilities.plaid === 'call') fn.usePlaid(on.plaidSecret, on.plaid);
  if (capabilities.tokenKey !== undefined) fn.useTokenKey(on.tokenKey, capabilities.tokenKey);
  const sms = on.smsSenderId === undefined ? {} : { senderId: on.smsSenderId };
  if (capabilities.securityNotices === 'send') {
    // Its own statement: the notice ledger's writes reach NOTICE# and nothing else.
    fn.useTable(on.table, SECURITY_NOTICE_LEDGER.actions, {
      partitionKeys: SECURITY_NOTICE_LEDGER.partitionKeys,
    });
  }
  // Alerts include SMS: one set of SNS statements (useSms's plain deny would block the topic).
  if (publishesAlerts(capabilities)) fn.useAlerts(on.alertTopic, sms);
  else if (capabilities.sms === 'send') fn.useSms(sms);
  if (capabilities.emailSubscriptions === 'manage') fn.useEmailSubscriptions(on.alertTopic);
  if (capabilities.emailSubscriptions === 'read') fn.useEmailSubscriptionStatus(on.alertTopic);
  if (capabilities.deletionQueue === 'send') {
    if (on.deletionQueue === undefined)
      throw new Error(`${fn.node.path}: deletionQueue needs the deletion queue.`);
    fn.useDeletionQueue(on.deletionQueue);
  }
  if (capabilities.checkQueue === 'send') {
    if (on.checkQueue === undefined) throw new Error(`${fn.node.path}: checkQueue needs the check queue.`);
    fn.useCheckQueue(on.checkQueue);
  }
  if (capabilities.webhookQueue === 'send') {
    if (on.webhookQueue === undefined)
      throw new Error(`${fn.node.path}: webhookQueue needs the webhook queue.`);
    fn.useWebhookQueue(on.webhookQueue);
  }
}
