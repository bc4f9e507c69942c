import type { Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { alertClaims } from '../../functions/adapters/dynamo/entities/alert-claim';
import { auditEvents } from '../../functions/adapters/dynamo/entities/audit-event';
import { authorizationCodes } from '../../functions/adapters/dynamo/entities/authorization-code';
import { identities } from '../../functions/adapters/dynamo/entities/identity';
import { itemEvents } from '../../functions/adapters/dynamo/entities/item-event';
import { linkTokens } from '../../functions/adapters/dynamo/entities/link-token';
import { loginFailures } from '../../functions/adapters/dynamo/entities/login-failures';
import { clientMailWindow } from '../../functions/adapters/dynamo/entities/mail-counters';
import { institutionGuards, plaidItems } from '../../functions/adapters/dynamo/entities/plaid-item';
import { pollerBreaker } from '../../functions/adapters/dynamo/entities/poller-breaker';
import { reverifyChallenges } from '../../functions/adapters/dynamo/entities/reverify-challenge';
import { revokedSessions } from '../../functions/adapters/dynamo/entities/revoked-session';
import { securityNotices } from '../../functions/adapters/dynamo/entities/security-notice';
import { sessions } from '../../functions/adapters/dynamo/entities/session';
import { smsCodes } from '../../functions/adapters/dynamo/entities/sms-code';
import { phoneSends, sendWindows } from '../../functions/adapters/dynamo/entities/sms-limits';
import { usedCredentials } from '../../functions/adapters/dynamo/entities/used-credential';
import { users } from '../../functions/adapters/dynamo/entities/user';
import { type PartitionKeyPrefix, SECURITY_NOTICE_LEDGER } from '../../functions/manifest/capabilities';
import { backgroundDeployments, deployedRoutes } from '../../functions/manifest/function-manifest';
import type { ServiceFunction } from '../../lib/constructs/service-function';
import { asList, logicalIdOf, type Statement, statementsOfRole, synthesize } from './fixture';

const { api, apiTemplate } = synthesize();

type ConditionedStatement = Statement & { Condition?: Record<string, Record<string, string[]>> };

const statementsOf = (fn: ServiceFunction) =>
  statementsOfRole(apiTemplate, logicalIdOf(fn.role as Role)) as ConditionedStatement[];
const onTable = (fn: ServiceFunction) =>
  statementsOf(fn).filter(
    (s) => JSON.stringify(s.Resource).includes('Table') && !JSON.stringify(s.Resource).includes('/index/'),
  );
const onIndexes = (fn: ServiceFunction) =>
  statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes('/index/'));
const leadingKeys = (statement: ConditionedStatement | undefined) =>
  statement?.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
/** The statement `securityNotices` adds: the notice ledger's writes on `NOTICE#`. */
const isNoticeLedger = (statement: ConditionedStatement) =>
  JSON.stringify(leadingKeys(statement)) === JSON.stringify(['NOTICE#*']);

const tableFunctions = [
  ...deployedRoutes
    .filter((r) => r.capabilities.table !== undefined)
    .map((r) => [r.id, api.functions.get(r.id) as ServiceFunction, r.capabilities.table] as const),
  ['pollerWorker', api.poller.worker, backgroundDeployments.pollerWorker.capabilities.table] as const,
  [
    'authorizer',
    api.node.findChild('Authorizer') as ServiceFunction,
    backgroundDeployments.authorizer.capabilities.table,
  ] as const,
];

describe('Table grants limited to partition keys (dynamodb:LeadingKeys)', () => {
  it.each(tableFunctions.map(([id, fn, table]) => [id, fn, table] as const))(
    '%s reaches only the partition keys its manifest lists',
    (_id, fn, table) => {
      // Act
      const statements = onTable(fn).filter((s) => !isNoticeLedger(s));

      // Assess: one statement on the table, every action under the condition.
      expect(statements).toHaveLength(1);
      expect(asList(statements[0]?.Action).sort()).toEqual([...(table?.actions ?? [])].sort());
      expect(leadingKeys(statements[0])).toEqual(table?.partitionKeys.map((p) => `${p}*`));
    },
  );

  it.each(tableFunctions.map(([id, fn]) => [id, fn] as const))(
    '%s writes the security-notice ledger (NOTICE# only) if and only if it sends security notices',
    (id, fn) => {
      // Prepare
      const sends = deployedRoutes.find((r) => r.id === id)?.capabilities.securityNotices === 'send';

      // Act
      const ledger = onTable(fn).filter(isNoticeLedger);

      // Assess: its own statement, the ledger's three writes, under NOTICE# alone.
      expect(ledger).toHaveLength(sends ? 1 : 0);
      if (sends) {
        expect(asList(ledger[0]?.Action).sort()).toEqual([...SECURITY_NOTICE_LEDGER.actions].sort());
        expect(leadingKeys(ledger[0])).toEqual(['NOTICE#*']);
      }
    },
  );

  it('lets the authorizer read the revocation list and nothing else of the table', () => {
    const authorizer = api.node.findChild('Authorizer') as ServiceFunction;
    const statements = onTable(authorizer);
    expect(statements).toHaveLength(1);
    expect(asList(statements[0]?.Action)).toEqual(['dynamodb:BatchGetItem']);
    expect(leadingKeys(statements[0])).toEqual(['REVOKED#*']);
    expect(onIndexes(authorizer)).toEqual([]);
  });

  it('keeps the SMS function away from bank links, sessions and accounts', () => {
    const granted = leadingKeys(onTable(api.functions.get('smsSend') as ServiceFunction)[0]);
    expect(granted).toEqual(['SMSCODE#*', 'SMSRATE#*']);
    for (const other of ['ITEM#', 'USERINST#', 'USER#', 'SESSION#', 'IDENTITY#']) {
      expect(granted?.some((p) => other.startsWith(p.slice(0, -1)))).toBe(false);
    }
  });

  it('keeps the bank-link functions away from accounts, sessions and SMS codes', () => {
    const bankFunctions = [
      ...deployedRoutes.filter((r) => r.id.startsWith('plaid')).map((r) => api.functions.get(r.id)),
      api.poller.worker,
      api.webhooks.worker,
    ].filter((fn): fn is ServiceFunction => fn !== undefined && onTable(fn).length > 0);
    expect(bankFunctions.length).toBeGreaterThan(5);
    for (const fn of bankFunctions) {
      for (const prefix of leadingKeys(onTable(fn)[0]) ?? [])
        expect(['ITEM#*', 'USERINST#*', 'POLLER#*', 'LINKTOKEN#*']).toContain(prefix);
    }
  });

  it('leaves index queries unconditioned: the condition key cannot describe them', () => {
    for (const [, fn] of tableFunctions) {
      for (const statement of onIndexes(fn)) {
        expect(asList(statement.Action)).toEqual(['dynamodb:Query']);
        expect(statement.Condition).toBeUndefined();
      }
    }
    // The dispatcher reads the next-check index, and of the table only the breaker's pause.
    expect(onTable(api.poller.dispatcher).map((st) => leadingKeys(st))).toEqual([['POLLER#*']]);
  });

  it('names only prefixes the entity modules build', () => {
    // Prepare: every partition key the entity modules can build, with sample values.
    const at = new Date('2026-01-01T00:00:00.000Z');
    const windows = sendWindows('ip', at);
    const built = [
      users.key('u').pk,
      identities.key('phone', '+1').pk,
      sessions.key('s').pk,
      auditEvents.key({ userId: 'u', at: 'at', id: 'e' }).pk,
      loginFailures.key('name').pk,
      smsCodes.key('+1').pk,
      phoneSends.key('+1').pk,
      windows.ip.key.pk,
      windows.day.key.pk,
      authorizationCodes.key('h').pk,
      plaidItems.key('i').pk,
      String(itemEvents.toItem('i', { type: 'linked', at: at.toISOString() }).pk),
      alertClaims.key({ itemId: 'i', episodeId: 'e', step: 'alert', channel: 'sms' }).pk,
      institutionGuards.key('u', 'ins').pk,
      pollerBreaker.stateKey().pk,
      pollerBreaker.passKey('p').pk,
      linkTokens.key('h').pk,
      reverifyChallenges.key('h').pk,
      revokedSessions.key(0, 1).pk,
      usedCredentials.key('k').pk,
      securityNotices.key('evt', 'sms').pk,
      clientMailWindow('ip', at).key.pk,
    ];
    const prefixOf = (pk: string) => `${pk.split('#')[0]}#` as PartitionKeyPrefix;

    // Act
    const listed = new Set([
      ...tableFunctions.flatMap(([, , table]) => table?.partitionKeys ?? []),
      ...SECURITY_NOTICE_LEDGER.partitionKeys,
    ]);

    // Assess: each listed prefix is one the table really has, and every kind of record is reachable.
    const real = new Set(built.map(prefixOf));
    for (const prefix of listed) expect(real).toContain(prefix);
    expect([...real].sort()).toEqual([...listed].sort());
  });
});
