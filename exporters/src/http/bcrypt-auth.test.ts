// The bcrypt verifier behind --basic-auth-hash-password, on real bcryptjs hashes (cost 4, the
// lowest bcrypt allows, so the tests stay quick; the cost does not change the logic).
import { hashSync } from 'bcryptjs';
import { BcryptVerifier, bcryptHashProblem } from './bcrypt-auth';

const HASH = hashSync('s3cret', 4);

describe('bcryptHashProblem', () => {
  it('accepts $2a$, $2b$ and $2y$ hashes', () => {
    for (const v of ['$2a$', '$2b$', '$2y$'])
      expect(bcryptHashProblem(HASH.replace(/^\$2.\$/, v))).toBeUndefined();
  });

  it('says what is wrong with a plain password, a cut hash or a cost out of range', () => {
    expect(bcryptHashProblem('s3cret')).toMatch(/^not a bcrypt hash \(6 characters/);
    expect(bcryptHashProblem(HASH.slice(0, 40))).toMatch(/^not a bcrypt hash/);
    expect(bcryptHashProblem(HASH.replace('$04$', '$03$'))).toBe(
      'bcrypt cost 3 is outside the allowed range 4–31',
    );
  });

  it('does not echo the hash', () => {
    const bad = HASH.replace('$2b$', '$3b$');
    expect(bcryptHashProblem(bad)).not.toContain(bad.slice(7));
  });
});

describe('BcryptVerifier', () => {
  it('throws on a bad hash', () => {
    expect(() => new BcryptVerifier('$2b$10$short')).toThrow(/not a bcrypt hash/);
  });

  it('verifies the password of the hash and refuses others', async () => {
    const v = new BcryptVerifier(HASH);
    await expect(v.verify('prom', 's3cret')).resolves.toBe(true);
    await expect(v.verify('prom', 's3cret ')).resolves.toBe(false);
    await expect(v.verify('prom', '')).resolves.toBe(false);
  });

  it('remembers verified pairs only, and at most 64 of them', async () => {
    const v = new BcryptVerifier(HASH);
    await v.verify('prom', 'wrong');
    expect(v.cached).toBe(0);
    await v.verify('prom', 's3cret');
    expect(v.cached).toBe(1);
    // The same pair again is answered from the cache: the count does not grow.
    await expect(v.verify('prom', 's3cret')).resolves.toBe(true);
    expect(v.cached).toBe(1);
    // Users are part of the key, so 70 users with the right password make 70 pairs: bounded.
    for (let i = 0; i < 70; i++) await v.verify(`user${i}`, 's3cret');
    expect(v.cached).toBe(64);
    await expect(v.verify('user69', 's3cret')).resolves.toBe(true);
  });

  it('runs one bcrypt for a burst of the same new pair, with one answer for all', async () => {
    const v = new BcryptVerifier(HASH);
    const answers = await Promise.all(Array.from({ length: 5 }, () => v.verify('p', 's3cret')));
    expect(answers).toEqual([true, true, true, true, true]);
    expect(v.cached).toBe(1);
  });
});
