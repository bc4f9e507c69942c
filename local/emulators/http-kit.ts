import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the emulators see it. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The request's headers, lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
}

export interface EmulatorResponse {
  status: number;
  body: unknown;
  /** Raw text instead of JSON (QQ's JSONP, for instance). */
  text?: string;
}

export type EmulatorHandler = (
  request: EmulatorRequest,
) => Promise<EmulatorResponse | undefined> | EmulatorResponse | undefined;

/**
 * A tiny JSON HTTP server for emulators: each handler returns a response or undefined (not
 * mine); nothing matches → 404. Bodies may be JSON or form-encoded.
 */
export async function serveEmulator(
  handlers: EmulatorHandler[],
  options: { port?: number; host?: string } = {},
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    respond(req, res, handlers).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'emulator failure', detail: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: EmulatorHandler[],
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  let body: Record<string, unknown> = {};
  if (raw.trim() !== '') {
    try {
      body = (req.headers['content-type'] ?? '').includes('form')
        ? Object.fromEntries(new URLSearchParams(raw))
        : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'body is not JSON' }));
      return;
    }
  }
  const request = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    body,
    headers: req.headers,
  };
  for (const handler of handlers) {
    const response = await handler(request);
    if (response === undefined) continue;
    if (response.text !== undefined) {
      res.writeHead(response.status, { 'content-type': 'text/plain' });
      res.end(response.text);
    } else {
      res.writeHead(response.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response.body));
    }
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'not found', path: url.pathname }));
}

/** A random token of `bytes` bytes, base64url. */
export const token = (bytes = 24) =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
