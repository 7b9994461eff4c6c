/**
 * node:crypto behind a narrow seam, for core/crypto (Crypto, CryptoKey, X509Certificate).
 * It lives under platform/ because key generation draws on OpenSSL's randomness, which the
 * determinism rule keeps out of protocol code. Keys cross this seam as PEM text; nothing here
 * keeps state.
 */
import {
  X509Certificate as NodeX509, createHmac, createHash, createPrivateKey, createPublicKey,
  generateKeyPairSync, privateEncrypt, publicDecrypt, publicEncrypt, sign as nodeSign,
  timingSafeEqual as nodeTimingSafeEqual, constants, type KeyObject,
} from 'node:crypto';
import { rootCertificates } from 'node:tls';

export type KeyKind = 'rsa' | 'ec' | 'other';

/** A parsed key, as PEM in the forms mbedTLS writes (PKCS#1 / SEC1 private, SPKI public). */
export interface ParsedKey {
  kind: KeyKind;
  /** null for a public-only key. */
  privatePem: string | null;
  publicPem: string;
  /** SubjectPublicKeyInfo, DER. */
  spki: Uint8Array;
  /** RSA modulus bits, or the EC curve's field bits. */
  bits: number;
}

function kindOf(k: KeyObject): KeyKind {
  return k.asymmetricKeyType === 'rsa' ? 'rsa' : k.asymmetricKeyType === 'ec' ? 'ec' : 'other';
}

function describe(priv: KeyObject | null, pub: KeyObject): ParsedKey {
  const kind = kindOf(pub);
  let privatePem: string | null = null;
  if (priv) {
    const type = kind === 'rsa' ? 'pkcs1' : kind === 'ec' ? 'sec1' : 'pkcs8';
    privatePem = priv.export({ type, format: 'pem' }).toString();
  }
  const details = pub.asymmetricKeyDetails ?? {};
  const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
  const bits = details.modulusLength ?? curveBits[details.namedCurve ?? ''] ?? 0;
  return {
    kind,
    privatePem,
    publicPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    spki: new Uint8Array(pub.export({ type: 'spki', format: 'der' })),
    bits,
  };
}

/** Parses a PEM (or DER) key; private unless `publicOnly`. null when it does not parse. */
export function parseKey(text: string | Uint8Array, publicOnly: boolean): ParsedKey | null {
  if (typeof text === 'string') {
    try {
      if (publicOnly) return describe(null, createPublicKey(text));
      const priv = createPrivateKey(text);
      return describe(priv, createPublicKey(priv));
    } catch {
      return null;
    }
  }
  const key = Buffer.from(text);
  const types = publicOnly ? (['spki', 'pkcs1'] as const) : (['pkcs1', 'pkcs8', 'sec1'] as const);
  for (const type of types) {
    try {
      if (publicOnly) return describe(null, createPublicKey({ key, format: 'der', type: type as 'spki' | 'pkcs1' }));
      const priv = createPrivateKey({ key, format: 'der', type: type as 'pkcs1' | 'pkcs8' | 'sec1' });
      return describe(priv, createPublicKey(priv));
    } catch {
      // try the next DER form
    }
  }
  return null;
}

/** A new RSA key (public exponent 65537, as mbedtls_rsa_gen_key in Godot's generate_rsa). */
export function generateRsa(bits: number): ParsedKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return describe(privateKey, publicKey);
}

/** A new EC key on a named curve ('P-256', 'P-384', 'P-521'). */
export function generateEc(curve: string): ParsedKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return describe(privateKey, publicKey);
}

/** Signs `data` with SHA-256: RSASSA-PKCS1-v1_5 for RSA, DER ECDSA for EC (X.509 signatures). */
export function signSha256(privatePem: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign('sha256', data, createPrivateKey(privatePem)));
}

/** DigestInfo prefixes (RFC 8017 §9.2, note 1) for signing a precomputed digest with RSA. */
const DIGEST_INFO: Record<string, string> = {
  md5: '3020300c06082a864886f70d020505000410',
  sha1: '3021300906052b0e03021a05000414',
  sha256: '3031300d060960864801650304020105000420',
};

/** RSASSA-PKCS1-v1_5 over an already computed digest (no addon needed). */
export function rsaSignDigest(privatePem: string, digest: string, hash: Uint8Array): Uint8Array {
  const prefix = Buffer.from(DIGEST_INFO[digest] ?? '', 'hex');
  return new Uint8Array(privateEncrypt({ key: privatePem, padding: constants.RSA_PKCS1_PADDING },
    Buffer.concat([prefix, hash])));
}

export function rsaVerifyDigest(pem: string, digest: string, hash: Uint8Array, signature: Uint8Array): boolean {
  try {
    const prefix = Buffer.from(DIGEST_INFO[digest] ?? '', 'hex');
    const got = publicDecrypt({ key: pem, padding: constants.RSA_PKCS1_PADDING }, signature);
    const want = Buffer.concat([prefix, hash]);
    return got.length === want.length && nodeTimingSafeEqual(got, want);
  } catch {
    return false;
  }
}

/** RSAES-PKCS1-v1_5 encryption (what mbedtls_pk_encrypt does with an RSA key). */
export function rsaEncrypt(publicPem: string, plaintext: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key: publicPem, padding: constants.RSA_PKCS1_PADDING }, plaintext));
}

export function hmac(digest: string, key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(digest, key).update(message).digest());
}

export function hash(digest: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(digest).update(data).digest());
}

/** Constant-time equality of equal-length byte arrays (false for different lengths). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && nodeTimingSafeEqual(a, b);
}

/** What X509Certificate needs to know of one certificate. */
export interface ParsedCertificate {
  der: Uint8Array;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  serialNumber: string;
  ca: boolean;
  publicKeyPem: string;
}

/** Parses one DER certificate; null when it does not parse. */
export function parseCertificate(der: Uint8Array): ParsedCertificate | null {
  try {
    const c = new NodeX509(der);
    return {
      der: new Uint8Array(c.raw),
      subject: c.subject,
      issuer: c.issuer,
      validFrom: c.validFrom,
      validTo: c.validTo,
      serialNumber: c.serialNumber,
      ca: c.ca,
      publicKeyPem: c.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  } catch {
    return null;
  }
}

/** Whether `der` carries a valid signature by the key in `publicPem`. */
export function certificateSignedBy(der: Uint8Array, publicPem: string): boolean {
  try {
    return new NodeX509(der).verify(createPublicKey(publicPem));
  } catch {
    return false;
  }
}

/** Node's bundled root CAs (Mozilla's list), as PEM: the default trust store of TLSOptions.client(). */
export function defaultTrustedPem(): string {
  return rootCertificates.join('\n');
}
