// The client side of the tap's body relay: the payload of one upstream read goes out as one
// write (one HTTP chunk when the client gets chunked framing), whatever number of HTTP chunks
// — tokens, for a streaming engine — the read carried. Nothing waits for a later read, so no
// byte is delayed; the client parses as many chunks as the upstream made reads, which is what
// nginx does with proxy_buffering off.
import type { Socket } from 'node:net';

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16

export class ClientWriter {
  private slices: Buffer[] = [];
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
    this.slices.push(slice);
    this.bytes += slice.length;
  }

  /** Writes what this read carried; returns its payload (for observers), or undefined. */
  flush(): Buffer | undefined {
    const n = this.bytes;
    if (n === 0) return undefined;
    const slices = this.slices;
    this.slices = [];
    this.bytes = 0;
    if (this.chunked) {
      // One buffer holding the whole chunk: one write, one syscall.
      const size = n.toString(16);
      const frame = Buffer.allocUnsafe(size.length + 4 + n);
      let at = frame.write(size, 0, 'latin1');
      frame.writeUInt16LE(CRLF, at);
      at += 2;
      const start = at;
      for (const s of slices) at += s.copy(frame, at);
      frame.writeUInt16LE(CRLF, at);
      this.write(frame);
      return frame.subarray(start, start + n);
    }
    // A copy: the slices are views of the upstream read buffer, which the next read reuses.
    const payload = Buffer.concat(slices, n);
    this.write(payload);
    return payload;
  }

  private write(buf: Buffer): void {
    const { socket } = this;
    if (!socket.destroyed && !socket.write(buf)) this.onFull((cb) => socket.once('drain', cb));
  }
}
