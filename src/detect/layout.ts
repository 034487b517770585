/**
 * Where each number of a cow's detector state lives. All per-cow state is numbers in two slabs
 * (one Float64Array for timestamps, one Float32Array for baselines and hourly sums), so a cow costs
 * a fixed, small number of bytes and 100,000 cows are two allocations, not millions of objects.
 */

/**
 * The cow-level alert kinds, each with a rule slot: pending since, onset, raised at, clearing since.
 * Listed here rather than derived from the protocol's ALERT_KINDS on purpose: the order is the layout
 * of saved detector state, so a kind added to the protocol must not shift it silently.
 */
export const COW_KINDS = [
  'fever',
  'illness',
  'heat',
  'lameness',
  'calving',
  'collar-offline',
  'battery-low',
  'geofence',
  'sensor-fault',
] as const;
export type CowKind = (typeof COW_KINDS)[number];
export const KIND_INDEX: Readonly<Record<CowKind, number>> = Object.fromEntries(
  COW_KINDS.map((kind, i) => [kind, i]),
) as Record<CowKind, number>;

/** Rule slot fields, relative to the slot start (slot k starts at k * SLOT_SIZE). NaN = unset. */
export const PENDING = 0;
export const ONSET = 1;
export const RAISED = 2;
export const CLEARING = 3;
export const SLOT_SIZE = 4;

// Float64 fields after the rule slots.
const F64_BASE = COW_KINDS.length * SLOT_SIZE;
/** Event time of the last reading used (readings older than it are ignored). */
export const LAST_TS = F64_BASE;
/** Hour index (Unix ms / 1 h) the hourly ring is filled up to. */
export const CUR_HOUR = F64_BASE + 1;
/** Minutes of elapsed time the collar covered with readings (gaps over a few readings excluded): the warm-up clock. */
export const WARM_MIN = F64_BASE + 2;
/** Smoothed temperature minus her normal, C (feeds the herd-wide shift estimate). */
export const TEMP_DEV = F64_BASE + 3;
/** Event time TEMP_DEV was last updated. */
export const TEMP_DEV_TS = F64_BASE + 4;
/** Last temperature and since when it has not changed (stuck sensor). */
export const LAST_TEMP = F64_BASE + 5;
export const TEMP_SAME_SINCE = F64_BASE + 6;
/** Last activity and since when it has not changed. */
export const LAST_ACT = F64_BASE + 7;
export const ACT_SAME_SINCE = F64_BASE + 8;
/** Impossible readings in a row. */
export const BAD_RUN = F64_BASE + 9;
/** Last battery level. */
export const LAST_BATTERY = F64_BASE + 10;
/** 1 while the broker says the collar is offline (last will), else 0. */
export const WILL_OFFLINE = F64_BASE + 11;
/** Until when a rumination drop is explained by heat, fever or calving (it lags them by its window). */
export const EXPLAINED_UNTIL = F64_BASE + 12;
/** Why the current sensor fault was raised: 1 impossible temperature, 2 stuck, 3 impossible activity. */
export const FAULT_REASON = F64_BASE + 13;
// Fields added in state layout 2 (a layout-1 row is restored with these unset: see snapshot.ts).
/** The collar's reporting cadence, ms: the typical time between its readings, learned from them. */
export const CADENCE = F64_BASE + 14;
/** How many readings in a row repeated the last temperature / activity (stuck sensor). */
export const TEMP_SAME_N = F64_BASE + 15;
export const ACT_SAME_N = F64_BASE + 16;
/** Event time the collar last reported rumination / temperature (which sensors it has). */
export const SEEN_RUM_TS = F64_BASE + 17;
export const SEEN_TEMP_TS = F64_BASE + 18;
/** Event time the first calving sign (her temperature falling) was last seen: the staged signs' memory. */
export const CALVING_STAGE1_TS = F64_BASE + 19;
/** Event time the collar last reported a position / a battery level. */
export const SEEN_POS_TS = F64_BASE + 20;
export const SEEN_BATTERY_TS = F64_BASE + 21;
/** Event time her last calving alert was raised: after it she is no longer "near term". */
export const CALVED_TS = F64_BASE + 22;
/** A heat alert closed after heat.maxHours: no heat until then, while her normal learns the new level. */
export const HEAT_HOLD_UNTIL = F64_BASE + 23;
export const F64_STRIDE = F64_BASE + 24;
/** F64_STRIDE of state layout 1 (before cadence and sensor fields). */
export const F64_STRIDE_V1 = F64_BASE + 14;

// Float32 layout.
export const METRIC_ACT = 0;
export const METRIC_RUM = 1;
export const METRIC_TEMP = 2;
export const BINS = 24;
/** Baseline: per metric and hour-of-day bin, [normal value per minute (or C), typical deviation]. */
export const BASELINE = 0;
export const baselineAt = (metric: number, bin: number): number => BASELINE + (metric * BINS + bin) * 2;
/** Updates each metric's baseline has had (fast learning first, then slow). */
export const BASE_COUNT = BASELINE + 3 * BINS * 2;
/**
 * Hourly ring: per hour, sums of activity, feeding (rumination + eating) minutes, the minutes those cover,
 * temperature, temperature minutes, activity minutes.
 */
export const RING = BASE_COUNT + 3;
export const RING_HOURS = 26;
export const R_ACT = 0;
export const R_RUM = 1;
export const R_RUM_MIN = 2;
export const R_TEMP = 3;
export const R_TEMP_MIN = 4;
export const R_MIN = 5;
export const RING_FIELDS = 6;
export const ringAt = (hour: number, field: number): number =>
  RING + (hour % RING_HOURS) * RING_FIELDS + field;
/** Peak (or key) value per cow kind, for summaries. */
export const PEAK = RING + RING_HOURS * RING_FIELDS;
export const F32_STRIDE = PEAK + COW_KINDS.length;

/** Longest window (hours) a rule may look back over: the ring keeps two hours more. */
export const MAX_WINDOW_HOURS = RING_HOURS - 2;
