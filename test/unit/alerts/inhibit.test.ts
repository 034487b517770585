/**
 * Inhibition: a silent collar silences its cow's data-driven alerts, a herd alert absorbs the cow
 * alerts it explains, a consequence adds evidence to its cause; late conditions are history.
 * Silenced alerts are still published; they become news when the silencer ends.
 */
import { describe, expect, it } from 'vitest';
import { cleared, cond, MIN, policyOnClock, SEC } from './support.js';

function setup() {
  return policyOnClock({ tickMs: 10 * SEC });
}

describe('inhibition', () => {
  it('silences a cow’s data-driven alerts while her collar is offline, and releases them after', () => {
    const { clock, policy, runFor } = setup();
    const offline = cond('daisy', 'collar-offline', 'warning', clock.now());
    policy.handle([offline], clock.now());
    runFor(10 * MIN);
    const heat = policy.handle([cond('daisy', 'heat', 'warning', clock.now())], clock.now());
    expect(heat.changes[0]?.evidence).toMatchObject({ lifecycle: { suppressed: 'collar-offline' } });
    expect(runFor(20 * MIN)).toEqual([]);
    expect(policy.takeStats().suppressed['collar-offline']).toBe(1);
    // Collar back, heat still on: now it is news.
    policy.handle([cleared(offline, clock.now())], clock.now());
    const after = runFor(4 * 60 * MIN + MIN).filter((n) => n.contactId === 'ravi'); // heat waits 4 h for company
    expect(after.map((n) => n.purpose)).toEqual(['alert']);
    expect(after[0]?.text).toContain('Daisy (tag 214): signs of heat');
    expect(after[0]?.text).toContain('Daisy (214): a silent collar has cleared.');
  });

  it('absorbs cow fevers into one herd heat-stress alert', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'fever', 'warning', clock.now())], clock.now());
    policy.handle([cond(null, 'herd-heat-stress', 'warning', clock.now())], clock.now());
    policy.handle(
      [cond('bella', 'fever', 'warning', clock.now()), cond('gauri', 'illness', 'warning', clock.now())],
      clock.now(),
    );
    const out = runFor(11 * MIN).filter((n) => n.contactId === 'ravi');
    expect(out).toHaveLength(1);
    expect(out[0]?.kinds).toEqual(['herd-heat-stress']);
    expect(out[0]?.templateParams.slice(0, 2)).toEqual(['The herd', 'heat stress']);
    expect(policy.takeStats().suppressed.herd).toBe(3);
  });

  it('adds a consequence to its cause instead of alerting again', () => {
    const { clock, policy, runFor } = setup();
    policy.handle([cond('daisy', 'fever', 'warning', clock.now())], clock.now());
    runFor(11 * MIN);
    const out = policy.handle([cond('daisy', 'illness', 'warning', clock.now())], clock.now());
    const cause = out.changes.find((c) => c.kind === 'fever');
    expect(cause?.evidence.related).toEqual([
      { kind: 'illness', summary: 'daisy: illness', ts: new Date(clock.now()).toISOString() },
    ]);
    expect(runFor(30 * MIN)).toEqual([]);
  });

  it('records a late condition as history without sending it as news', () => {
    const { clock, policy, runFor } = setup();
    const late = cond('daisy', 'fever', 'critical', clock.now() - 5 * 60 * MIN, { late: true });
    const out = policy.handle([late, cleared(late, clock.now() - 4 * 60 * MIN)], clock.now());
    expect(out.changes.map((c) => c.state)).toEqual(['firing', 'resolved']);
    expect(runFor(30 * MIN)).toEqual([]);
    expect(policy.takeStats().suppressed.late).toBe(1);
  });
});
