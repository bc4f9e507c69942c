import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { startTestApi } from '../support/test-runtime';

/**
 * Where the screenshots go: docs/images under `npm run screenshots` (UPDATE_SCREENSHOTS=1), so the
 * docs show the console as it is; a temporary folder otherwise, since ids and times differ on
 * every run and a plain `npm test` should leave the working tree clean.
 */
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? resolve(import.meta.dirname, '..', '..', 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'linkguard-console-'));

/** A page on another local port: the web app, the operator page or Plaid Link on the web. */
async function otherOrigin(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>a web client</title><p>a web client on another origin</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let api: Awaited<ReturnType<typeof startTestApi>>;
let browser: Browser;
let allowed: Awaited<ReturnType<typeof otherOrigin>>;
let refused: Awaited<ReturnType<typeof otherOrigin>>;

beforeAll(async () => {
  allowed = await otherOrigin();
  refused = await otherOrigin();
  api = await startTestApi({ plaid: {}, env: { CORS_ALLOWED_ORIGINS: allowed.origin } });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
  allowed?.server.close();
  refused?.server.close();
});

const statusOf = (page: Page) => page.locator('[data-testid=item] [data-testid=status]').first();

describe('The local console, in a real browser', () => {
  it('signs a user up, links a bank, breaks it at Plaid, and shows the alert, the timeline and why', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${api.url}/_local/console#users`);
    await page.waitForSelector('body[data-loaded=true]');

    // Act: sign up by phone (the code is read from the outbox), then link a bank
    await page.click('[data-testid=signup-phone-button]');
    await page.waitForSelector('[data-testid=link-bank]');
    await page.click('[data-testid=link-bank]');
    await expect.poll(() => statusOf(page).textContent(), { timeout: 20_000 }).toBe('healthy');

    // Act: break it at Plaid with a chosen error; the emulator's webhook tells the API
    await page.selectOption('[data-testid=error-select]', 'ITEM_LOGIN_REQUIRED');
    await page.click('[data-testid=break]');

    // Assess: status, reason, the timeline (break from the webhook, then the alerts) and why
    await expect.poll(() => statusOf(page).textContent(), { timeout: 20_000 }).toBe('login_required');
    const item = page.locator('[data-testid=item]').first();
    await expect
      .poll(() => item.locator('[data-testid=why]').textContent(), { timeout: 20_000 })
      .toContain('Sent: alert by sms');
    expect(await item.locator('[data-testid=reason]').textContent()).toBe(
      'Your bank needs you to sign in again.',
    );
    const timeline = await item.locator('[data-testid=timeline]').innerText();
    expect(timeline).toMatch(/break\s+healthy → login_required \(ITEM_LOGIN_REQUIRED\)\s+webhook/i);
    expect(timeline).toMatch(/alert\s+alert sent by sms/i);
    expect(timeline).toMatch(/link\s+linked \(healthy\)/i);
    expect(await item.locator('[data-testid=why]').textContent()).toContain(
      'No email: the user has no email',
    );
    await page.screenshot({ path: resolve(SCREENSHOTS, 'console-bank-links.png') });

    // Assess: the SMS alert is in the outbox
    await page.click('nav a[data-tab=outbox]');
    await expect
      .poll(() => page.locator('[data-testid=outbox]').innerText())
      .toMatch(/sms\s+\+86\d+\s+LinkGuard: First Platypus Bank — Your bank needs you to sign in again/);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'console-outbox.png') });

    // Act: repair it in Link's update mode from the console
    await page.click('nav a[data-tab=items]');
    await page.click('[data-testid=repair]');
    await expect.poll(() => statusOf(page).textContent(), { timeout: 20_000 }).toBe('healthy');

    // Act: the whole bank goes down: a transient error, which no alert can help with
    await page.click('[data-action=institutionDown]');
    await expect.poll(() => page.textContent('#notice')).toContain('is down');
    await page.click('[data-testid=run-poller]');
    await expect.poll(() => statusOf(page).textContent(), { timeout: 20_000 }).toBe('error');
    expect(await item.locator('[data-testid=why]').textContent()).toContain(
      'No alert: the bank is having trouble (a transient error)',
    );

    await page.click('nav a[data-tab=users]');
    await page.waitForSelector('[data-testid=user]');
    await page.screenshot({ path: resolve(SCREENSHOTS, 'console-users.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('lets a page on an allowed origin call the API, and the browser refuses one that is not', async () => {
    // Prepare
    const page = await browser.newPage();
    const register = (url: string) =>
      page.evaluate(async (target) => {
        try {
          const response = await fetch(`${target}/v1/auth/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: `web-${Date.now()}`, password: 'purple-otter-bakes-42' }),
          });
          return { status: response.status, requestId: response.headers.get('x-request-id') };
        } catch (error) {
          return { error: String(error) };
        }
      }, url);

    // Act: a preflighted POST (JSON) from the allowed origin
    await page.goto(allowed.origin);
    const fromAllowed = await register(api.url);

    // Act: the same from an origin that is not allowed
    await page.goto(refused.origin);
    const fromRefused = await register(api.url);

    // Assess
    expect(fromAllowed).toMatchObject({ status: 201, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(fromRefused).toEqual({ error: 'TypeError: Failed to fetch' });
    await page.close();
  }, 60_000);
});
