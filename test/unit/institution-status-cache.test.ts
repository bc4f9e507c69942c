import { describe, expect, it } from 'vitest';
import { withInstitutionStatusCache } from '../../functions/adapters/institution-status-cache';
import { FakePlaidGateway } from '../fakes';
import { ManualClock } from '../support/manual-clock';

describe('Adapter: withInstitutionStatusCache', () => {
  it('asks Plaid once per institution for 5 minutes, then again; other institutions apart', async () => {
    // Prepare
    const clock = new ManualClock();
    const plaid = new FakePlaidGateway();
    plaid.institutions.set('ins_1', 'down');
    const cached = withInstitutionStatusCache(plaid, clock);
    const asked = () => plaid.calls.filter((c) => c.method === 'institutionStatus').map((c) => c.argument);

    // Act
    const first = await cached.institutionStatus('ins_1');
    plaid.institutions.set('ins_1', 'healthy');
    const withinTtl = await cached.institutionStatus('ins_1');
    const other = await cached.institutionStatus('ins_2');
    clock.advance(301);
    const afterTtl = await cached.institutionStatus('ins_1');

    // Assess
    expect([first, withinTtl, other, afterTtl]).toEqual(['down', 'down', 'healthy', 'healthy']);
    expect(asked()).toEqual(['ins_1', 'ins_2', 'ins_1']);
  });

  it('does not cache a failed lookup', async () => {
    // Prepare
    const clock = new ManualClock();
    const plaid = new FakePlaidGateway();
    const cached = withInstitutionStatusCache(plaid, clock);
    plaid.failNext('institutionStatus', 'INTERNAL_SERVER_ERROR');

    // Act
    const failed = cached.institutionStatus('ins_1');

    // Assess
    await expect(failed).rejects.toMatchObject({ plaidCode: 'INTERNAL_SERVER_ERROR' });
    expect(await cached.institutionStatus('ins_1')).toBe('healthy');
  });
});
