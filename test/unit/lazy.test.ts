import { describe, expect, it } from 'vitest';
import { lazy } from '../../functions/adapters/lazy';

describe('Function: lazy', () => {
  it('loads once and keeps a successful load', async () => {
    // Prepare
    let loads = 0;
    const value = lazy(async () => ++loads);

    // Act
    const results = [await value(), await value(), await value()];

    // Assess
    expect(results).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next caller loads again (and then keeps that)', async () => {
    // Prepare
    let loads = 0;
    const value = lazy(async () => {
      loads++;
      if (loads === 1) throw new Error('ThrottlingException');
      return 'secret';
    });

    // Act
    const first = value();

    // Assess
    await expect(first).rejects.toThrow('ThrottlingException');
    await expect(value()).resolves.toBe('secret');
    await expect(value()).resolves.toBe('secret');
    expect(loads).toBe(2);
  });

  it('lets callers that arrive during a load share it', async () => {
    // Prepare
    let loads = 0;
    let finish: (v: string) => void = () => undefined;
    const value = lazy(() => {
      loads++;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    });

    // Act
    const together = Promise.all([value(), value(), value()]);
    finish('keys');

    // Assess
    await expect(together).resolves.toEqual(['keys', 'keys', 'keys']);
    expect(loads).toBe(1);
  });

  it('turns a synchronous throw into a rejection that is forgotten too', async () => {
    let loads = 0;
    const value = lazy<number>(() => {
      loads++;
      if (loads === 1) throw new TypeError('bug');
      return Promise.resolve(loads);
    });

    await expect(value()).rejects.toThrow(TypeError);
    await expect(value()).resolves.toBe(2);
  });
});
