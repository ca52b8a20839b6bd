// Throwaway CA and certificates for the TLS tests (openssl; RSA 2048, one day, no passphrase).
// Shared so that a change to the recipe reaches every test that makes certificates.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A self-signed CA with subject CN `cn`: writes `<name>.key` and `<name>.crt` in `dir`. */
export function makeTestCa(dir: string, name: string, cn: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}

export interface TestLeaf {
  /** File stem: `<name>.key`, `.csr`, `.ext` and `.crt` are written in the directory. */
  name: string;
  /** Subject CN. */
  cn: string;
  /** One openssl extension line, e.g. `subjectAltName=IP:127.0.0.1`. */
  ext: string;
  /** Stem of the signing CA made by makeTestCa in the same directory; `ca` if not given. */
  ca?: string;
}

/** A certificate signed by a CA from makeTestCa (which gets a `<ca>.srl` serial file). */
export function makeTestLeaf(dir: string, { name, cn, ext, ca = 'ca' }: TestLeaf): void {
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  );
}
