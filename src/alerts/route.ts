/**
 * Who hears about an alert: the farm's severity overrides, its routes (severity, kind, cow group,
 * role) and each contact's own kinds filter, ordered by the escalation chain.
 */

import type { Policy } from '../config/policy-schema.js';
import type { Farm } from '../config/registry.js';
import type { Contact, Cow } from '../config/schema.js';
import type { AlertKind, Severity } from '../telemetry/protocol.js';

/** The farm's severity for an alert: the first matching override, else the detector's. */
export function effectiveSeverity(
  policy: Policy,
  kind: AlertKind,
  cow: Cow | undefined,
  detectorSeverity: Severity,
  evidence: Record<string, unknown>,
): Severity {
  for (const o of policy.severityOverrides) {
    if (!o.kinds.includes(kind)) continue;
    if (o.groups && !(cow?.group !== undefined && o.groups.includes(cow.group))) continue;
    if (o.valueAtLeast !== undefined) {
      const value = evidence.value;
      if (typeof value !== 'number' || value < o.valueAtLeast) continue;
    }
    return o.severity;
  }
  return detectorSeverity;
}

/** Whether the contact receives messages now (config flag, overridden by STOP/START). */
export function isOptedIn(contact: Contact, override: boolean | null): boolean {
  return override ?? contact.optedIn;
}

/** Contacts the farm's routes send this alert to, before opt-in, in escalation-chain order. */
export function routeAlert(farm: Farm, kind: AlertKind, severity: Severity, cow: Cow | undefined): Contact[] {
  const policy = farm.config.policy;
  const chosen = new Set<string>();
  for (const route of policy.routes) {
    if (route.kinds && !route.kinds.includes(kind)) continue;
    if (route.severities && !route.severities.includes(severity)) continue;
    if (route.groups && !(cow?.group !== undefined && route.groups.includes(cow.group))) continue;
    for (const c of farm.contacts) {
      const byRole = route.roles === undefined ? route.contacts === undefined : route.roles.includes(c.role);
      if (byRole || route.contacts?.includes(c.id)) chosen.add(c.id);
    }
  }
  const routed = farm.contacts.filter(
    (c) => chosen.has(c.id) && (c.kinds === undefined || c.kinds.includes(kind)),
  );
  return orderByChain(routed, policy.escalationChain);
}

/** Orders contacts by the chain (ids or role names); contacts the chain does not name come last. */
export function orderByChain(contacts: Contact[], chain: readonly string[]): Contact[] {
  const rank = (c: Contact): number => {
    const byId = chain.indexOf(c.id);
    if (byId >= 0) return byId;
    const byRole = chain.indexOf(c.role);
    return byRole >= 0 ? byRole : chain.length;
  };
  return contacts
    .map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c);
}
