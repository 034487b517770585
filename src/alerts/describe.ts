/**
 * The words about one alert in one language: the cow's label, what is wrong, since when (farm
 * local time), the key figure, and what to do (with the insemination window for heat).
 */
import type { Farm } from '../config/registry.js';
import { localLabel } from './local-time.js';
import { type Catalogue, fill } from './messages/catalogue.js';
import type { AlertRecord } from './types.js';

const HOUR_MS = 3_600_000;

/** Everything a message needs to say about one alert. */
export interface AlertWords {
  cow: string;
  /** "Daisy (214)": the short label of grouped lists. */
  cowShort: string;
  problem: string;
  since: string;
  figure: string;
  /** True when the figure is the "see Details" fallback (left out of session texts). */
  noFigure: boolean;
  action: string;
}

export function describeAlert(cat: Catalogue, farm: Farm, alert: AlertRecord, nowMs: number): AlertWords {
  const cow = alert.cowId === null ? undefined : farm.cows.get(alert.cowId);
  const name = cow?.name ?? alert.cowId ?? cat.herd;
  const figure = keyFigure(cat, alert.evidence);
  let action = cat.kinds[alert.kind].action;
  if (alert.kind === 'heat') action = `${action}, ${heatWindow(cat, farm, alert.onsetTs, nowMs)}`;
  return {
    cow: cow ? fill(cat.cowLabel, { name: cow.name, tag: cow.tag }) : name,
    cowShort: cow ? `${cow.name} (${cow.tag})` : name,
    problem: cat.kinds[alert.kind].problem,
    since: localLabel(alert.onsetTs, nowMs, farm.timezone),
    figure: figure ?? cat.noFigure,
    noFigure: figure === undefined,
    action,
  };
}

/**
 * Suggested insemination window after heat onset. Ovulation follows the onset of increased
 * activity by about 29 h (Roelofs et al., "Pedometer readings for estrous detection and as
 * predictor for time of ovulation in dairy cattle", Theriogenology 64 (2005) 1690-1703), and
 * insemination about 12-18 h after onset, the classic a.m./p.m. rule (Trimberger, Nebraska Agric.
 * Exp. Stn. Res. Bull. 153, 1948), places sperm in the tract ahead of it. Configurable per farm.
 */
export function heatWindow(cat: Catalogue, farm: Farm, onsetTs: number, nowMs: number): string {
  const { inseminateFromHours, inseminateToHours } = farm.config.policy.heat;
  return fill(cat.heatWindow, {
    from: localLabel(onsetTs + inseminateFromHours * HOUR_MS, nowMs, farm.timezone),
    to: localLabel(onsetTs + inseminateToHours * HOUR_MS, nowMs, farm.timezone),
  });
}

const UNITS: Record<string, (v: number) => string> = {
  temperatureC: (v) => `${v.toFixed(1)} °C`,
  ruminationMin: (v) => `${Math.round(v)} min`,
  eatingMin: (v) => `${Math.round(v)} min`,
  activity: (v) => `${Math.round(v)}`,
  battery: (v) => `${Math.round(v * 100)}%`,
  distanceM: (v) => `${Math.round(v)} m`,
};

/** "Temperature 40.1 °C (normal 38.6 °C)" from the detector's evidence { metric, value, baseline }. */
export function keyFigure(cat: Catalogue, evidence: Record<string, unknown>): string | undefined {
  const { metric, value, baseline } = evidence;
  if (typeof metric !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const unit = UNITS[metric] ?? ((v: number) => `${Math.round(v * 10) / 10}`);
  const label = (cat.metrics as Record<string, string>)[metric] ?? metric;
  if (typeof baseline === 'number' && Number.isFinite(baseline)) {
    return fill(cat.figureBaseline, { metric: label, value: unit(value), baseline: unit(baseline) });
  }
  return fill(cat.figure, { metric: label, value: unit(value) });
}

/** WhatsApp rejects empty template parameters and ones with new lines, tabs or 4+ spaces (error 132018). */
export function templateParam(text: string): string {
  const clean = text
    .replace(/[\n\r\t]+/g, ' ')
    .replace(/ {4,}/g, '   ')
    .trim();
  if (clean.length === 0) return '-';
  return clean.length > 1000 ? `${clean.slice(0, 999)}…` : clean;
}
