/** The timing of one alert: its kind's settings (policy.kinds) over its severity's (policy.severities). */
import type { Policy, SeverityTiming } from '../config/policy-schema.js';
import type { AlertKind, Severity } from '../telemetry/protocol.js';

export function timingFor(policy: Policy, kind: AlertKind, severity: Severity): SeverityTiming {
  const base = policy.severities[severity];
  const own = policy.kinds[kind];
  if (!own) return base;
  return {
    notify: own.notify ?? base.notify,
    groupWaitSeconds: own.groupWaitSeconds ?? base.groupWaitSeconds,
    groupIntervalMinutes: own.groupIntervalMinutes ?? base.groupIntervalMinutes,
    escalateAfterMinutes: own.escalateAfterMinutes ?? base.escalateAfterMinutes,
    repeatIntervalMinutes: own.repeatIntervalMinutes ?? base.repeatIntervalMinutes,
    maxRepeats: own.maxRepeats ?? base.maxRepeats,
  };
}
