import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { ClientInfo } from '../domain/model';

/** The API Gateway v2 event with what the Lambda authorizer put in its context. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { lambda?: Record<string, unknown> };
  };
};

export type HttpResponse = Exclude<APIGatewayProxyResultV2, string>;

/** Per-request state the middlewares and the handler share (see `stateOf`). */
export interface RequestState {
  requestId: string;
  startedAt: number;
  client: ClientInfo;
  body?: unknown;
  /** The body exactly as received (base64-decoded when API Gateway marked it so). */
  rawBody?: string;
  auth?: AuthenticatedCaller;
}

/** Who the authorizer verified the caller to be. */
export interface AuthenticatedCaller {
  userId: string;
  sessionId: string;
  /** The access token's `auth_time` (epoch seconds), when it has one. */
  authTime?: number;
}

/** What a handler returns; the wrapper turns it into an API Gateway response. */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** The body exactly as received (base64-decoded when API Gateway marked it so). */
  rawBody?: string;
  headers?: Record<string, string>;
}
