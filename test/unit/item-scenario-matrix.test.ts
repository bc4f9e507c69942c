import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../support/item-scenario-rows';
import { runScenario } from '../support/item-scenarios';

describe('Scenario matrix: Plaid scenarios over simulated days (domain, in-memory Plaid)', () => {
  it.each(SCENARIOS.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    // Act
    const outcome = await runScenario(row);

    // Assess
    const { view: _view, sms: _sms, ...seen } = outcome;
    expect(seen).toMatchObject(row.expected);
    if (row.expected.repairMode === undefined) expect(outcome.view.repairMode).toBeUndefined();
    if (row.lastSmsSays !== undefined) expect(outcome.sms.at(-1)).toContain(row.lastSmsSays);
  });
});
