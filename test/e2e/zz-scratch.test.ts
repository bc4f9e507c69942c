import { writeFileSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { linkBank, phoneUser, plaidControl, pollAll } from '../support/bank';
import { startTestApi } from '../support/test-runtime';

it('dump', async () => {
  const api = await startTestApi({ plaid: {} });
  const latest = (p: string) =>
    localOutbox.messages
      .filter((m) => m.to === p)
      .at(-1)
      ?.message.match(/\d{6}/)?.[0] ?? '';
  const user = await phoneUser(api, latest);
  await api.call('POST', '/v1/auth/register', {
    json: { username: 'zed', password: 'purple-otter-bakes-42' },
  });
  const { body } = await linkBank(api, user.token);
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
  await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
  await pollAll(api);
  const db = new DynamoDBClient({
    endpoint: api.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const out = await db.send(new ScanCommand({ TableName: api.tableName }));
  writeFileSync(
    '/tmp/w6-scan.json',
    JSON.stringify(
      (out.Items ?? []).map((i) => unmarshall(i)),
      null,
      1,
    ),
  );
  writeFileSync('/tmp/w6-outbox.json', JSON.stringify(localOutbox.messages, null, 1));
  await api.close();
});
