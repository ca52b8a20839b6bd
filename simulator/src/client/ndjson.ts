// Newline-delimited JSON as Ollama streams it: one JSON value per "\n"-terminated line.

export class NdjsonParseError extends Error {
  constructor(
    readonly line: string,
    cause: Error,
  ) {
    super(`invalid NDJSON line ${JSON.stringify(line.slice(0, 80))}: ${cause.message}`);
    this.name = 'NdjsonParseError';
  }
}

export class NdjsonParser {
  private buffer = '';
  private readonly decoder = new TextDecoder('utf-8');

  push(chunk: Uint8Array | string): unknown[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) out.push(parseLine(line));
      nl = this.buffer.indexOf('\n');
    }
    return out;
  }

  /** A last line without its newline still counts (clients accept it). */
  end(): unknown[] {
    const line = this.buffer.trim();
    this.buffer = '';
    return line ? [parseLine(line)] : [];
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (err) {
    throw new NdjsonParseError(line, err as Error);
  }
}
