/**
 * One TLS story for every listener (MLLP, the connector's HTTP door, the
 * relay): one config schema, one policy, one function that turns key/cert/CA
 * material into Node `tls` / `https` server options. A door never builds its
 * own TLS options, so the policy cannot drift between doors.
 */
import { readFile } from 'node:fs/promises';
import type tls from 'node:tls';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Forward secrecy and AEAD only. TLS 1.2: ECDHE key exchange with AES-GCM or
 * CHACHA20-POLY1305 (no static-RSA `AES128-GCM-SHA256`, no CBC, no DHE with
 * its guessable-strength groups). TLS 1.3 suites are all ephemeral and AEAD,
 * so all three are allowed. Node reads TLS 1.3 suite names from the same list.
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** TLS 1.0 / 1.1 are deprecated (RFC 8996). */
export const TLS_MIN_VERSION = 'TLSv1.2' satisfies tls.SecureVersion;

/** `tls:` block of any listener (connector MLLP and HTTP, relay). Paths are PEM files. */
export const tlsConfigSchema = z
  .strictObject({
    /** PEM private key file. */
    keyFile: z.string().min(1),
    /** PEM certificate (chain) file. */
    certFile: z.string().min(1),
    /** PEM CA file that client certificates must chain to; required by `requestClientCert`. */
    caFile: z.string().min(1).optional(),
    /** Require a client certificate signed by `caFile` (mutual TLS). @default false */
    requestClientCert: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    // Without a CA, Node would check client certificates against the public
    // roots: any certificate a public CA ever issued would be let in.
    if (value.requestClientCert && value.caFile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['caFile'], message: 'requestClientCert: true needs caFile (the CA client certificates must chain to); without it any publicly issued certificate would pass' });
    }
  });

export type TlsConfig = z.infer<typeof tlsConfigSchema>;

/** Key material already read (tests, or after `readTlsMaterial`). */
export interface TlsMaterial {
  /** PEM private key. */
  key: string | Buffer;
  /** PEM certificate (chain). */
  cert: string | Buffer;
  /** PEM CA(s) that client certificates must chain to. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Require and verify a client certificate (mutual TLS); needs `ca`. @default false */
  requestCert?: boolean | undefined;
}

/** Read the files a `tls:` block names; a missing or unreadable file is a ConfigError naming it. */
export async function readTlsMaterial(config: TlsConfig, where: string): Promise<TlsMaterial> {
  const read = async (field: 'keyFile' | 'certFile' | 'caFile', file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${where}.${field}: cannot read ${file} (${code})`, [{ path: `${where}.${field}`, message: `cannot read ${file} (${code})` }], error);
    }
  };
  const [key, cert, ca] = await Promise.all([
    read('keyFile', config.keyFile),
    read('certFile', config.certFile),
    config.caFile === undefined ? undefined : read('caFile', config.caFile),
  ]);
  return { key, cert, ca, requestCert: config.requestClientCert };
}

/** Node server options (for `tls.createServer` and `https.createServer`) with the policy above. */
export function tlsServerOptions(material: TlsMaterial): tls.TlsOptions {
  const requestCert = material.requestCert ?? false;
  if (requestCert && material.ca === undefined) {
    throw new ConfigError('tls: requestCert needs a CA that client certificates must chain to', [{ path: 'tls.caFile', message: 'required when requestClientCert is true' }]);
  }
  return {
    key: material.key,
    cert: material.cert,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    requestCert,
    rejectUnauthorized: requestCert,
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    // The server's order (strongest first) wins over a client that lists weak suites first.
    honorCipherOrder: true,
  };
}
