// --basic-auth-hash-password (redis_exporter ≥ v1.67): the basic-auth password given as a bcrypt
// hash. bcrypt is slow on purpose (cost 10 ≈ 50–100 ms of CPU here) and Prometheus sends the same
// credentials on every scrape, so a verified pair is remembered — as exporter-toolkit does for
// Prometheus' own web config — and only a new pair pays the bcrypt cost. Failures are never
// remembered: a wrong password costs a full bcrypt every time.
import { createHash } from 'node:crypto';
import { compare } from 'bcryptjs';

/** `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then 22 characters of salt and 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * Why `hash` is not a usable bcrypt hash, or undefined when it is. Checked at start, as
 * redis_exporter does with bcrypt.Cost, so a mistyped hash stops the exporter instead of
 * refusing every scrape later. The hash itself is not echoed (it stays out of logs).
 */
export function bcryptHashProblem(hash: string): string | undefined {
  const m = BCRYPT_HASH.exec(hash);
  if (!m)
    return `not a bcrypt hash (${hash.length} characters; expected 60 in the form $2b$10$ followed by 53 of [./A-Za-z0-9], e.g. from "htpasswd -nbBC 10 user pass")`;
  const cost = Number(m[1]);
  if (cost < 4 || cost > 31) return `bcrypt cost ${cost} is outside the allowed range 4–31`;
  return undefined;
}

/** Remembered verified pairs; a scraper fleet uses one or two, 64 leaves room for rotation. */
const MAX_CACHED = 64;

/** A basic-auth password check against one bcrypt hash, with the cache described above. */
export class BcryptVerifier {
  /** sha256(user, password) of verified pairs, oldest first (Map keeps insertion order). */
  private readonly verified = new Map<string, true>();
  /** Checks under way, so a burst of requests with the same new pair runs bcrypt once. */
  private readonly pending = new Map<string, Promise<boolean>>();
  /** One bcrypt at a time: a flood of wrong passwords queues up instead of taking every core. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly hash: string) {
    const problem = bcryptHashProblem(hash);
    if (problem) throw new Error(problem);
  }

  /** Number of remembered pairs (for tests and the README's claim of a bound). */
  get cached(): number {
    return this.verified.size;
  }

  /**
   * True when `password` matches the hash. `user` is part of the cache key so that a pair that
   * was verified for one user is not taken as verified for another; the user itself is checked
   * by the caller.
   */
  verify(user: string, password: string): Promise<boolean> {
    // Only a digest is kept, never the password itself.
    const key = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    if (this.verified.has(key)) return Promise.resolve(true);
    const running = this.pending.get(key);
    if (running) return running;
    const run = this.queue
      .then(() => compare(password, this.hash))
      .then(
        (ok) => {
          if (ok) this.remember(key);
          return ok;
        },
        () => false,
      )
      .finally(() => this.pending.delete(key));
    this.queue = run;
    this.pending.set(key, run);
    return run;
  }

  private remember(key: string): void {
    if (this.verified.size >= MAX_CACHED) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(key, true);
  }
}
