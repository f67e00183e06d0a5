// Certificates for TLS tests, made with the openssl command line: CAs, and server and client
// certificates (P-256 keys) signed by one of them, written as PEM files into a folder.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
}

/** A new P-256 key, unencrypted: the arguments both `req` calls share. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export class TestPki {
  constructor(readonly dir: string) {}

  async ca(name: string): Promise<CertFiles> {
    const files = { cert: path.join(this.dir, `${name}.crt`), key: path.join(this.dir, `${name}.key`) };
    await execa('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      files.key,
      '-out',
      files.cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
    return files;
  }

  /** A leaf certificate signed by `ca`; servers get SANs for 127.0.0.1 and localhost. */
  async leaf(name: string, ca: CertFiles, role: 'server' | 'client'): Promise<CertFiles> {
    const files = { cert: path.join(this.dir, `${name}.crt`), key: path.join(this.dir, `${name}.key`) };
    const csr = path.join(this.dir, `${name}.csr`);
    const ext = path.join(this.dir, `${name}.ext`);
    await writeFile(
      ext,
      role === 'server'
        ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
        : `subjectAltName=DNS:${name}\nextendedKeyUsage=clientAuth\n`,
    );
    await execa('openssl', ['req', ...EC_KEY, '-keyout', files.key, '-out', csr, '-subj', `/CN=${name}`]);
    await execa('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      String(Math.floor(Math.random() * 1e12)),
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      files.cert,
    ]);
    return files;
  }
}
