// The client side of the tap's body relay: the payload of one upstream read goes out as one
// write (one HTTP chunk when the client gets chunked framing), whatever number of HTTP chunks
// — tokens, for a streaming engine — the read carried. Nothing waits for a later read, so no
// byte is delayed; the client parses as many chunks as the upstream made reads, which is what
// nginx does with proxy_buffering off.
import type { Socket } from 'node:net';

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16

export class ClientWriter {
  // A read usually carries one slice (one token's chunk): it is kept in a field, and only
  // further ones go to an array, so a flush allocates no array.
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private bytes = 0;

  constructor(
    private readonly socket: Socket,
    /** The client gets the body in chunked framing (else as is: by length, or up to the close). */
    private readonly chunked: boolean,
    /** Called when the client cannot take more: pause the upstream until `resume` runs. */
    private readonly onFull: (resume: (cb: () => void) => void) => void,
  ) {}

  /** A view of the current read; it is copied out by flush(), before the read buffer is reused. */
  add(slice: Buffer): void {
    if (slice.length === 0) return;
    if (this.first === undefined) this.first = slice;
    else (this.more ??= []).push(slice);
    this.bytes += slice.length;
  }

  /** Writes what this read carried; returns its payload (for observers), or undefined. */
  flush(): Buffer | undefined {
    const first = this.first; // set by the first non-empty add
    if (first === undefined) return undefined;
    const n = this.bytes;
    const more = this.more;
    this.first = undefined;
    this.more = undefined;
    this.bytes = 0;
    // One buffer for the whole payload (and its chunk framing): one write, one syscall. It is a
    // copy: the slices are views of the upstream read buffer, which the next read reuses.
    const size = this.chunked ? n.toString(16) : '';
    const frame = Buffer.allocUnsafe(this.chunked ? size.length + 4 + n : n);
    let at = 0;
    if (this.chunked) {
      at = frame.write(size, 0, 'latin1');
      frame.writeUInt16LE(CRLF, at);
      at += 2;
    }
    const start = at;
    at += first.copy(frame, at);
    if (more) for (const s of more) at += s.copy(frame, at);
    if (this.chunked) frame.writeUInt16LE(CRLF, at);
    this.write(frame);
    return this.chunked ? frame.subarray(start, start + n) : frame;
  }

  private write(buf: Buffer): void {
    const { socket } = this;
    if (!socket.destroyed && !socket.write(buf)) this.onFull((cb) => socket.once('drain', cb));
  }
}
