import { createTable, type Table } from '../adapters/dynamo/table';
import { memo } from './runtime';

/** The document client and table name, created once per cold start. */
export const table = (): Table =>
  memo('table', ({ config }) =>
    createTable({
      name: config.tableName,
      ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }),
      ...(config.region === undefined ? {} : { region: config.region }),
    }),
  );
