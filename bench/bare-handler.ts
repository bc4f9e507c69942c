import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * The baseline for load time: the smallest realistic HTTP Lambda on the same stack (middy core,
 * a document client created at cold start, one GetItem). Bundled exactly like the real handlers.
 */
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().handler(async (event) => {
  const id = event.pathParameters?.id ?? 'unknown';
  const result = await client.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: `item#${id}`, sk: 'item' } }),
  );
  return {
    statusCode: result.Item === undefined ? 404 : 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(result.Item ?? { error: 'not found' }),
  };
});
