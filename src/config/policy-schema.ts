/**
 * Alert policy settings per farm: routing, grouping, escalation, repeats, rate limits, quiet hours,
 * digest, severity overrides. Every key has a default so `policy: {}` is a working policy.
 * OWNED BY THE ALERT POLICY WORK (issue 5).
 */
import { z } from 'zod';
import { ALERT_KINDS, SEVERITIES } from '../telemetry/protocol.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour');
export const ROLES = ['owner', 'herdsman', 'vet', 'other'] as const;

/** One routing rule: alerts matching every given filter go to the contacts it names. */
const routeSchema = z.strictObject({
  kinds: z.array(z.enum(ALERT_KINDS)).optional().describe('only these alert kinds (all when absent)'),
  severities: z.array(z.enum(SEVERITIES)).optional().describe('only these severities (all when absent)'),
  groups: z
    .array(z.string().min(1))
    .optional()
    .describe('only cows of these herd groups (herd-level alerts never match a group filter)'),
  roles: z
    .array(z.enum(ROLES))
    .optional()
    .describe('send to contacts with these roles (all roles when absent)'),
  contacts: z.array(z.string().min(1)).optional().describe('send to these contact ids as well'),
});
export type Route = z.infer<typeof routeSchema>;

/** Timing per severity; the factory gives each severity its own defaults. */
function severityTimingSchema(d: {
  groupWaitSeconds: number;
  groupIntervalMinutes: number;
  escalateAfterMinutes: number;
  repeatIntervalMinutes: number;
  maxRepeats: number;
  notify: boolean;
}) {
  return z
    .strictObject({
      notify: z
        .boolean()
        .default(d.notify)
        .describe('send a message when raised (false: the alert only appears in the daily digest)'),
      groupWaitSeconds: z
        .number()
        .int()
        .min(0)
        .default(d.groupWaitSeconds)
        .describe('wait this long for more alerts of the farm so they go out as one message'),
      groupIntervalMinutes: z
        .number()
        .min(0)
        .default(d.groupIntervalMinutes)
        .describe(
          'after a message to a contact, more alerts of this severity wait at least this long (0: no wait)',
        ),
      escalateAfterMinutes: z
        .number()
        .min(0)
        .default(d.escalateAfterMinutes)
        .describe('unacknowledged this long: pass to the next contact of the chain (0: no escalation)'),
      repeatIntervalMinutes: z
        .number()
        .min(0)
        .default(d.repeatIntervalMinutes)
        .describe('remind about an unacknowledged alert at most this often (0: never)'),
      maxRepeats: z.number().int().min(0).default(d.maxRepeats).describe('never remind more often than this'),
    })
    .prefault({});
}

/** Timing for one alert kind, over its severity's: any subset of the severity keys. */
const kindTimingSchema = z.strictObject({
  notify: z.boolean().optional().describe('send a message when raised'),
  groupWaitSeconds: z.number().int().min(0).optional().describe('group wait for this kind'),
  groupIntervalMinutes: z.number().min(0).optional().describe('group interval for this kind'),
  escalateAfterMinutes: z.number().min(0).optional().describe('escalation delay for this kind'),
  repeatIntervalMinutes: z.number().min(0).optional().describe('repeat interval for this kind'),
  maxRepeats: z.number().int().min(0).optional().describe('repeat cap for this kind'),
});
export type KindTiming = z.infer<typeof kindTimingSchema>;

const severityOverrideSchema = z.strictObject({
  kinds: z.array(z.enum(ALERT_KINDS)).min(1).describe('alert kinds the override applies to'),
  groups: z.array(z.string().min(1)).optional().describe('only cows of these groups'),
  valueAtLeast: z
    .number()
    .optional()
    .describe("only when the detector's key figure (evidence.value) is at least this, e.g. 40.5 C"),
  severity: z.enum(SEVERITIES).describe('severity to use instead of the detector’s'),
});
export type SeverityOverride = z.infer<typeof severityOverrideSchema>;

export const policySchema = z.strictObject({
  digestAt: clockTime.default('07:00').describe("local time of the farm's daily digest"),
  digestRoles: z
    .array(z.enum(ROLES))
    .default(['owner', 'herdsman'])
    .describe('roles that receive the daily digest'),
  routes: z
    .array(routeSchema)
    .default([{ severities: ['critical'] }, { severities: ['warning'], roles: ['herdsman', 'vet'] }])
    .describe(
      'who hears about which alert: the union of every matching route; contacts’ own kinds still filter; ' +
        'when no opted-in contact is found, the owners get it',
    ),
  escalationChain: z
    .array(z.string().min(1))
    .default(['herdsman', 'owner', 'vet', 'other'])
    .describe('order in which a critical alert is passed on: contact ids or role names'),
  severities: z
    .strictObject({
      critical: severityTimingSchema({
        notify: true,
        groupWaitSeconds: 30,
        groupIntervalMinutes: 0,
        escalateAfterMinutes: 10,
        repeatIntervalMinutes: 60,
        maxRepeats: 3,
      }),
      warning: severityTimingSchema({
        notify: true,
        groupWaitSeconds: 600,
        groupIntervalMinutes: 120,
        escalateAfterMinutes: 0,
        repeatIntervalMinutes: 720,
        maxRepeats: 1,
      }),
      info: severityTimingSchema({
        notify: false,
        groupWaitSeconds: 3600,
        groupIntervalMinutes: 0,
        escalateAfterMinutes: 0,
        repeatIntervalMinutes: 0,
        maxRepeats: 0,
      }),
    })
    .prefault({})
    .describe('grouping, escalation and repeats per severity'),
  kinds: z
    .partialRecord(z.enum(ALERT_KINDS), kindTimingSchema)
    .default({ heat: { groupWaitSeconds: 14_400 } })
    .describe(
      'timing per alert kind over its severity’s; heat waits 4 h for other heats: the insemination window opens 12 h after onset',
    ),
  severityOverrides: z
    .array(severityOverrideSchema)
    .default([
      { kinds: ['calving', 'geofence'], severity: 'critical' },
      { kinds: ['fever'], valueAtLeast: 40.5, severity: 'critical' },
    ])
    .describe('raise or lower the detector’s severity by kind, group and key figure; first match wins'),
  infoExpireHours: z
    .number()
    .positive()
    .default(24)
    .describe('an info alert nobody acted on is closed as expired after this'),
  notes: z
    .strictObject({
      waitSeconds: z
        .number()
        .int()
        .min(0)
        .default(900)
        .describe(
          'hold a "resolved" note or "Ravi is on it" notice this long so it can ride along with the next message',
        ),
      ownMessageFor: z
        .array(z.enum(SEVERITIES))
        .default(['critical'])
        .describe(
          'severities whose notes may go out as a message of their own (within the follow-up budget, ' +
            'reminders.perDay); the others only ride along or end in the digest',
        ),
    })
    .prefault({})
    .describe('resolution notes and acknowledgement notices to whoever was told'),
  maxListed: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('cows listed in one grouped message; the rest are counted ("and N more") and in the digest'),
  rateLimit: z
    .strictObject({
      perHour: z.number().int().min(1).default(6).describe('messages per contact in any 60 minutes'),
      perDay: z.number().int().min(1).default(20).describe('messages per contact in any 24 hours'),
      criticalBypass: z
        .boolean()
        .default(true)
        .describe(
          'the first message and escalations of a critical alert go out even over the limit (reminders wait)',
        ),
    })
    .prefault({})
    .describe('over the limit, messages wait and fold into the next one or the digest, never dropped'),
  reminders: z
    .strictObject({
      gapMinutes: z
        .number()
        .min(0)
        .default(60)
        .describe(
          'a reminder message goes out only when the contact has had no message for this long, and lists ' +
            'every unacknowledged alert due one; until then reminders ride along with any other message',
        ),
      perDay: z
        .number()
        .int()
        .min(0)
        .default(1)
        .describe(
          'follow-up messages per contact in any 24 hours: reminders, and resolution notes that would go ' +
            'on their own; past it they only ride along with other messages or end in the daily digest ' +
            '(reminders counted as reminder-budget)',
        ),
    })
    .prefault({})
    .describe(
      'reminders of unacknowledged alerts (repeats, and the last escalation step to contacts already ' +
        'told): grouped per contact and capped, so someone who does not answer is not sent more for it',
    ),
  quietHours: z
    .strictObject({
      criticalBypass: z
        .boolean()
        .default(true)
        .describe("critical alerts still go out during a contact's quiet hours"),
    })
    .prefault({})
    .describe('quiet hours themselves are set per contact (contacts[].quietHours)'),
  snoozeTomorrowAt: clockTime.default('06:00').describe('local time a "snooze until tomorrow" ends'),
  heat: z
    .strictObject({
      inseminateFromHours: z
        .number()
        .min(0)
        .default(12)
        .describe('start of the suggested insemination window, hours after heat onset'),
      inseminateToHours: z
        .number()
        .min(0)
        .default(18)
        .describe('end of the suggested insemination window, hours after heat onset'),
    })
    .prefault({}),
});
export type Policy = z.infer<typeof policySchema>;
export type SeverityTiming = Policy['severities']['critical'];
