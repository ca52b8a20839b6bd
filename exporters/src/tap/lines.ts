// Line framing for streamed bodies (NDJSON, SSE) without copying the forwarded bytes: only a
// partial trailing line is kept between chunks.

/**
 * Calls onLine for each complete line (without the newline, `\r` stripped). Lines are UTF-8
 * decoded, or with `latin1` one char per byte: the cheap form for a reader that only looks for
 * ASCII markers on most lines (decode the few it parses with `latin1ToUtf8`).
 */
export class LineSplitter {
  private pending: Buffer | undefined;
  private pendingText = '';
  /** Set when a line exceeded maxLineBytes and was skipped. */
  overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = 4 * 1024 * 1024,
    private readonly latin1 = false,
  ) {}

  push(chunk: Buffer): void {
    if (this.latin1) return this.pushLatin1(chunk);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      let line = chunk.subarray(start, nl);
      if (this.pending) {
        line = Buffer.concat([this.pending, line]);
        this.pending = undefined;
      }
      this.emit(line);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Emits a final line that had no trailing newline. */
  end(): void {
    if (this.pendingText) this.onLine(stripCr(this.pendingText));
    this.pendingText = '';
    if (this.pending?.length) this.emit(this.pending);
    this.pending = undefined;
  }

  // One string per read, lines as slices of it: no Buffer view or decode per line.
  private pushLatin1(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    if (this.pendingText) {
      text = this.pendingText + text;
      this.pendingText = '';
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(text.slice(start, end));
      start = nl + 1;
    }
    if (start >= text.length) return;
    if (text.length - start > this.maxLineBytes) this.overflowed = true;
    else this.pendingText = text.slice(start);
  }

  private keep(rest: Buffer) {
    const size = (this.pending?.length ?? 0) + rest.length;
    if (size > this.maxLineBytes) {
      this.overflowed = true;
      this.pending = undefined;
      return;
    }
    // Copy: the forwarded chunk may be reused by the stream once the callback returns.
    this.pending = this.pending ? Buffer.concat([this.pending, rest]) : Buffer.from(rest);
  }

  private emit(line: Buffer) {
    const end = line.length && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    this.onLine(line.toString('utf8', 0, end));
  }
}

/**
 * Keeps only the last non-empty line of a stream (the final NDJSON object carries the stats),
 * so memory stays bounded by one line whatever the response size.
 */
export class LastLine {
  private last: Buffer | undefined;
  private pending: Buffer | undefined;
  overflowed = false;

  constructor(private readonly maxLineBytes = 4 * 1024 * 1024) {}

  push(chunk: Buffer): void {
    const nl = chunk.lastIndexOf(10);
    if (nl < 0) {
      this.append(chunk);
      return;
    }
    // The last non-blank complete line ending at or before nl (the first one may continue
    // the pending text of earlier chunks).
    for (let end = nl; end >= 0;) {
      const prev = end > 0 ? chunk.lastIndexOf(10, end - 1) : -1;
      const head = chunk.subarray(prev + 1, end);
      const line = prev < 0 && this.pending ? Buffer.concat([this.pending, head]) : head;
      if (!isBlank(line)) {
        this.last = Buffer.from(line);
        break;
      }
      end = prev;
    }
    this.pending = undefined;
    if (nl + 1 < chunk.length) this.append(chunk.subarray(nl + 1));
  }

  /** The last non-empty line, including a final one without newline. */
  value(): string | undefined {
    const tail = this.pending?.toString('utf8').trim();
    if (tail) return tail;
    return this.last?.toString('utf8').trim();
  }

  private append(part: Buffer) {
    const size = (this.pending?.length ?? 0) + part.length;
    if (size > this.maxLineBytes) {
      this.overflowed = true;
      this.pending = undefined;
      return;
    }
    this.pending = this.pending ? Buffer.concat([this.pending, part]) : Buffer.from(part);
  }
}

/** A line read with `latin1` (one char per byte) back to the text its UTF-8 bytes spell. */
export function latin1ToUtf8(line: string): string {
  return Buffer.from(line, 'latin1').toString('utf8');
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function isBlank(b: Buffer): boolean {
  for (const c of b) if (c !== 32 && c !== 9 && c !== 13) return false;
  return true;
}
