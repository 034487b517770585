/**
 * Turns a YAML parser's errors into the one a technician can act on. One indentation slip makes the
 * parser report a cascade (keys "not at the same column", "nested mappings not allowed", ...) that
 * often points at the line above or below the slip; so when parsing fails, the block structure is
 * re-read line by line to find the first line whose indentation cannot fit, and only that is
 * reported. Without an indentation cause, the parser's first error is reported, at the token it is
 * about rather than at a comment line before it.
 */
import type { LineCounter, YAMLError } from 'yaml';

export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

export function describeSyntaxErrors(
  text: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
): SyntaxProblem {
  const slip = findIndentationSlip(text);
  if (slip) return slip;
  const first = errors[0];
  const offset = first ? skipBlanksAndComments(text, first.pos[0]) : 0;
  const pos = lineCounter.linePos(offset);
  const message = first?.message.split('\n')[0] ?? 'cannot be parsed';
  return { line: pos.line, column: pos.col, message: `YAML syntax: ${message}` };
}

/** The parser may point at the start of blank or comment lines before the token it means. */
function skipBlanksAndComments(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] !== '\n') return offset;
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i < text.length ? i : offset;
}

/** A block level: the column its keys (map) or "- " entries (list) start at, and who set it. */
interface Level {
  column: number;
  list: boolean;
  line: number;
  key: string;
}

interface ContentLine {
  line: number;
  indent: number;
  item: boolean;
  /** Column of the key in `- key: value` (or of a key line). */
  keyColumn: number;
  key: string;
  /** Ends with `key:` or a bare `-`: the next line may go deeper. */
  opens: boolean;
  /** A `|` or `>` block scalar: deeper lines are its text. */
  blockScalar: boolean;
  /** Unclosed brackets or quotes: following lines continue this value. */
  continues: boolean;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(\s|$)/;

/** The first line whose indentation fits no open block (undefined for well-formed block structure). */
export function findIndentationSlip(text: string): SyntaxProblem | undefined {
  const lines = text.split(/\r?\n/);
  const stack: Level[] = [{ column: 0, list: false, line: 0, key: '' }];
  let prev: ContentLine | undefined;
  let skipDeeperThan: number | undefined;
  const steps: number[] = [];
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^ *\t/.test(raw)) {
      return at(i + 1, raw.search(/\t/), 'a tab is used to indent this line; YAML allows only spaces');
    }
    const current = readLine(i + 1, raw);
    if (skipDeeperThan !== undefined) {
      if (current.indent > skipDeeperThan) continue;
      skipDeeperThan = undefined;
    }
    if (prev?.continues) return undefined; // a value spanning lines: leave it to the parser
    if (/^(---|\.\.\.)(\s|$)/.test(trimmed)) return undefined;
    let top = stack[stack.length - 1] as Level;
    const opened = prev?.opens === true;
    if (opened && (current.indent > top.column || (current.item && current.indent === top.column))) {
      // The file's usual step (2 spaces, say) tells which of two disagreeing lines slipped.
      if (current.indent > top.column) steps.push(current.indent - top.column);
      stack.push({ column: current.indent, list: current.item, line: current.line, key: current.key });
    } else if (current.indent > top.column) {
      if (!current.item && current.key === '') continue; // a plain value continued on the next line
      return at(
        current.line,
        current.indent,
        `${quote(current)} is indented ${spaces(current.indent)}, deeper than the line above (line ${prev?.line}, ${prev ? quote(prev) : ''}), which does not open a block; line it up with the keys around it (${spaces(top.column)})`,
      );
    } else {
      const valid = stack.filter((l) => l.list === current.item).map((l) => l.column);
      let left: Level | undefined;
      while (stack.length > 1 && top.column > current.indent) {
        left = stack.pop();
        top = stack[stack.length - 1] as Level;
      }
      if (top.column !== current.indent || top.list !== current.item) {
        return blame(current, top, left, steps, valid);
      }
    }
    if (current.item && current.key !== '') {
      stack.push({ column: current.keyColumn, list: false, line: current.line, key: current.key });
    }
    if (current.blockScalar) skipDeeperThan = current.item ? current.keyColumn : current.indent;
    prev = current;
  }
  return undefined;
}

/**
 * A line that lines up with no open block. When the block it fails to join had an unusual step
 * (3 spaces in a file indented by 2) and this line has the usual one, the block's first line is the
 * slip; otherwise this line is.
 */
function blame(
  current: ContentLine,
  parent: Level,
  left: Level | undefined,
  steps: number[],
  valid: number[],
): SyntaxProblem {
  const usual = mostCommon(steps);
  const deeper = left && current.indent > parent.column && !left.list ? left : undefined;
  if (deeper && usual !== undefined && deeper.column - parent.column !== usual) {
    return at(
      deeper.line,
      deeper.column,
      `"${deeper.key}:" is indented ${spaces(deeper.column)}, the next key of its block (line ${current.line}, ${quote(current)}) ${current.indent}; this file indents by ${usual}, so make it ${parent.column + usual}`,
    );
  }
  const where = [...new Set(valid)].sort((a, b) => a - b).join(' or ') || '0';
  return at(
    current.line,
    current.indent,
    `${quote(current)} is indented ${spaces(current.indent)}, which lines up with no block above: ${current.item ? '"- " entries' : 'keys'} here are indented ${where} spaces`,
  );
}

function readLine(line: number, raw: string): ContentLine {
  const indent = raw.length - raw.trimStart().length;
  let rest = raw.slice(indent);
  const item = rest === '-' || rest.startsWith('- ');
  let keyColumn = indent;
  if (item) {
    const after = rest.slice(1);
    keyColumn = indent + 1 + (after.length - after.trimStart().length);
    rest = after.trimStart();
  }
  const key = KEY.exec(rest)?.[1]?.replace(/^["']|["']$/g, '') ?? '';
  const value = key ? rest.slice(rest.indexOf(':') + 1) : rest;
  const bare = stripComment(value).trim();
  return {
    line,
    indent,
    item,
    keyColumn,
    key,
    opens: (key !== '' && bare === '') || (item && rest === ''),
    blockScalar: /^[|>][-+0-9]*$/.test(bare),
    continues: unclosed(bare),
  };
}

function stripComment(value: string): string {
  const hash = value.search(/(^|\s)#/);
  return hash < 0 ? value : value.slice(0, hash);
}

/** Brackets or quotes left open at the end of the line. */
function unclosed(value: string): boolean {
  let depth = 0;
  let quoteChar: string | undefined;
  for (const c of value) {
    if (quoteChar) {
      if (c === quoteChar) quoteChar = undefined;
    } else if (c === '"' || c === "'") quoteChar = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth > 0 || quoteChar !== undefined;
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

const spaces = (n: number) => `${n} space${n === 1 ? '' : 's'}`;
const quote = (l: ContentLine) => (l.key ? `"${l.item ? '- ' : ''}${l.key}:"` : 'this line');

function at(line: number, column: number, message: string): SyntaxProblem {
  return { line, column: column + 1, message: `YAML indentation: ${message}` };
}
