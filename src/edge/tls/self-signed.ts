/**
 * Self-signed certificates for zones that have none yet (so HTTPS works out of the box; ACME replaces them).
 * ECDSA P-256 through WebCrypto: a few milliseconds each.
 */
import 'reflect-metadata';
import { webcrypto, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface PemPair { cert: string; key: string }

export async function selfSignedCertificate(hostnames: readonly string[], days = 825, now = new Date()): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + days * 86_400_000);
  const first = hostnames[0] ?? 'rampart.invalid';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + randomBytes(15).toString('hex'),
    name: `CN=${first.replace(/[,=+<>#;\\"]/g, '')}, O=Rampart self-signed`,
    notBefore, notAfter,
    signingAlgorithm: ALG,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hostnames.map((h) => ({ type: 'dns' as const, value: h }))),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(pkcs8).toString('base64').replace(/.{64}/g, '$&\n');
  return { cert: cert.toString('pem') + '\n', key: `-----BEGIN PRIVATE KEY-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END PRIVATE KEY-----\n` };
}
