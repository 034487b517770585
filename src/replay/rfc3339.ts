/**
 * RFC 3339 text (as ASCII bytes) to Unix ms without a Date or a string: replay converts one timestamp
 * per reading, and Date.parse on a sliced string was a large share of its time. It reads only the strict form
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with every field in its calendar range, where the
 * result equals Date.parse (fractions truncated to the millisecond, as V8 does). Anything else
 * (lowercase t/z, 24:00, 31 April, ...) gives NaN, and the caller takes the Date.parse path, so this
 * can never accept a timestamp the protocol schema rejects.
 */

const DAY_MS = 86_400_000;

/** Unix ms of the text in `text[start, end)`, or NaN when it is not in the strict form above. */
export function rfc3339ToMs(text: Uint8Array, start: number, end: number): number {
  const year = digits(text, start, 4);
  const month = digits(text, start + 5, 2);
  const day = digits(text, start + 8, 2);
  const hour = digits(text, start + 11, 2);
  const minute = digits(text, start + 14, 2);
  const second = digits(text, start + 17, 2);
  if (
    at(text, start + 4) !== 0x2d || // -
    at(text, start + 7) !== 0x2d ||
    at(text, start + 10) !== 0x54 || // T
    at(text, start + 13) !== 0x3a || // :
    at(text, start + 16) !== 0x3a
  )
    return Number.NaN;
  // digits() gives -1 for a non-digit, which every range check below rejects.
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  let p = start + 19;
  let ms = 0;
  if (at(text, p) === 0x2e) {
    // .fraction: at least one digit; the first three are the milliseconds, the rest are dropped.
    p++;
    const from = p;
    let scale = 100;
    for (let c = at(text, p) - 48; c >= 0 && c <= 9; c = at(text, ++p) - 48) {
      ms += c * scale;
      scale /= 10;
      if (scale < 1) scale = 0;
    }
    if (p === from) return Number.NaN;
  }
  let offsetMin = 0;
  const zone = at(text, p);
  if (zone === 0x5a) {
    p++; // Z
  } else if (zone === 0x2b || zone === 0x2d) {
    const oh = digits(text, p + 1, 2);
    const om = digits(text, p + 4, 2);
    if (at(text, p + 3) !== 0x3a || oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN;
    offsetMin = (zone === 0x2b ? 1 : -1) * (oh * 60 + om);
    p += 6;
  } else return Number.NaN;
  if (p !== end) return Number.NaN;
  return (
    daysFromCivil(year, month, day) * DAY_MS +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    ms -
    offsetMin * 60_000
  );
}

/** The byte at i, or NaN past the end (as charCodeAt), which fails every comparison below. */
const at = (text: Uint8Array, i: number): number => (i < text.length ? (text[i] as number) : Number.NaN);

/** The n-digit decimal at text[from], or -1 when one of them is not a digit (or past the end). */
function digits(text: Uint8Array, from: number, n: number): number {
  let value = 0;
  for (let i = from; i < from + n; i++) {
    const c = at(text, i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    value = value * 10 + c;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible algorithms"). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
