/**
 * Reading ASCII text as bytes, for replay's line scanner: indexing a Uint8Array costs about half of
 * String.charCodeAt, and fixed keys are compared four bytes at a time (a byte loop was most of the
 * scan). JSON numbers are read as JSON.parse reads them.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** 10^k is exact for k <= 22, so m / 10^k is the correctly rounded double, as JSON.parse gives. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Mantissas of at most 15 digits are exact integers in a double. */
const MAX_FAST_DIGITS = 15;
/**
 * Bytes after a text's room: reads stop on the two zero bytes after the text, and a literal of up to
 * 64 bytes compared from at most one byte past the text (3 more bytes for its last word) stays inside.
 */
const PADDING = 128;

/** Fixed text to compare with the buffer four bytes at a time. */
export interface Literal {
  bytes: Uint8Array;
  /** The bytes as little-endian 32-bit words, the last one zero-padded. */
  words: Int32Array;
  /** Which bytes of the last word belong to the text. */
  lastMask: number;
}

export function literal(text: string): Literal {
  const bytes = encoder.encode(text);
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const words = new Int32Array(padded.length / 4);
  const view = new DataView(padded.buffer);
  for (let i = 0; i < words.length; i++) words[i] = view.getInt32(i * 4, true);
  const rest = bytes.length % 4;
  return { bytes, words, lastMask: rest === 0 ? -1 : (1 << (rest * 8)) - 1 };
}

/**
 * A buffer holding one ASCII text at a time, and a position in it. Two zero bytes follow the text,
 * so every read that runs past its end stops there (bytes of earlier texts lie beyond).
 */
export class ByteReader {
  protected readonly bytes: Uint8Array;
  protected readonly view: DataView;
  /** Bytes of the current text. */
  protected length = 0;
  protected pos = 0;

  constructor(maxBytes: number) {
    this.bytes = new Uint8Array(maxBytes + PADDING);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Loads `text`; false when it is longer than the buffer or not all ASCII. */
  protected load(text: string): boolean {
    if (text.length > this.bytes.length - PADDING) return false;
    const { read, written } = encoder.encodeInto(text, this.bytes);
    if (read !== text.length || written !== text.length) return false;
    this.bytes[written] = 0;
    this.bytes[written + 1] = 0;
    this.length = written;
    this.pos = 0;
    return true;
  }

  /** Consumes `key` when the text continues with it. */
  protected key(key: Literal): boolean {
    if (!literalAt(this.view, this.pos, key)) return false;
    this.pos += key.bytes.length;
    return true;
  }

  /**
   * A JSON number (RFC 8259 grammar) at pos, as JSON.parse reads it; NaN when the text is not one.
   * Up to 15 digits without an exponent are computed here; anything else goes through Number().
   */
  protected number(): number {
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    let c = b[p] as number;
    const negative = c === 0x2d;
    if (negative) c = b[++p] as number;
    const intStart = p;
    let mantissa = 0;
    if (c === 0x30) {
      c = b[++p] as number;
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        mantissa = mantissa * 10 + (c - 0x30);
        c = b[++p] as number;
      } while (c >= 0x30 && c <= 0x39);
    } else return Number.NaN;
    let count = p - intStart;
    let scale = 0;
    if (c === 0x2e) {
      const fracStart = ++p;
      c = b[p] as number;
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        c = b[++p] as number;
      }
      scale = p - fracStart;
      if (scale === 0) return Number.NaN;
      count += scale;
    }
    let exact = count <= MAX_FAST_DIGITS;
    if (c === 0x65 || c === 0x45) {
      c = b[++p] as number;
      if (c === 0x2b || c === 0x2d) c = b[++p] as number;
      if (!(c >= 0x30 && c <= 0x39)) return Number.NaN;
      do c = b[++p] as number;
      while (c >= 0x30 && c <= 0x39);
      exact = false;
    }
    this.pos = p;
    // Number() of text in JSON number grammar is the same correctly rounded double as JSON.parse.
    if (!exact) return Number(decoder.decode(b.subarray(start, p)));
    const value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
    return negative ? -value : value;
  }
}

/**
 * Whether the text continues with `lit` at `at`. Callers start at most one byte past the text, and a
 * literal never holds a zero byte, so one running past the text's end meets a zero and never matches.
 */
export function literalAt(view: DataView, at: number, lit: Literal): boolean {
  const words = lit.words;
  const last = words.length - 1;
  if (last < 0) return true;
  for (let i = 0; i < last; i++) if (view.getInt32(at + i * 4, true) !== words[i]) return false;
  return (view.getInt32(at + last * 4, true) & lit.lastMask) === words[last];
}
