import { ProviderUnavailableError } from '../../domain/errors';

/**
 * GETs a provider URL and returns its JSON body. A timeout, a network error, a 5xx or a body
 * that is not JSON is the provider being unavailable (502), never a 500. The URL carries
 * credentials (tokens, our AppSecret): it is never logged or put in an error message.
 */
export async function getProviderJson(
  provider: string,
  url: URL,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    throw new ProviderUnavailableError(provider, error instanceof Error ? new Error(error.name) : undefined);
  }
  if (response.status >= 500)
    throw new ProviderUnavailableError(provider, new Error(`HTTP ${response.status}`));
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // QQ's older endpoints answer `callback( {...} );` even when asked for JSON.
    const jsonp = /^\s*callback\(\s*(\{.*\})\s*\);?\s*$/s.exec(text)?.[1];
    if (jsonp !== undefined) {
      try {
        return JSON.parse(jsonp) as Record<string, unknown>;
      } catch {
        // fall through
      }
    }
  }
  throw new ProviderUnavailableError(provider, new Error(`HTTP ${response.status}, not JSON`));
}

/** `path` under a provider's base URL, with `query` set. */
export function providerUrl(baseUrl: string, path: string, query: Record<string, string>): URL {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}

/** A string field of a provider answer, or undefined. */
export const str = (body: Record<string, unknown>, key: string): string | undefined => {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};
