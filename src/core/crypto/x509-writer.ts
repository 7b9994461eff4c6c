/**
 * Self-signed certificates with the profile of Godot's Crypto.generate_self_signed_certificate
 * (mbedtls_x509write_crt_* as Godot calls them), checked against certificates real Godot 3.2.3
 * generated:
 * - X.509 v3; serial = 20 random bytes read as an unsigned integer (so 20 or 21 DER bytes,
 *   fewer if it starts with zero bytes);
 * - signature sha256WithRSAEncryption (RSA keys) or ecdsa-with-SHA256 (EC keys);
 * - issuer = subject = the issuer name given, one attribute per RDN in the order written,
 *   countryName as PrintableString, emailAddress and domainComponent as IA5String, the rest
 *   as UTF8String; "\," escapes a comma;
 * - validity from "YYYYMMDDhhmmss": UTCTime when the year is 2000–2049, GeneralizedTime
 *   otherwise (mbedTLS's rule);
 * - one extension, basicConstraints (not critical) CA:TRUE, pathlen 0; no SAN, KU, EKU, key ids.
 * @see godot modules/mbedtls/crypto_mbedtls.cpp generate_self_signed_certificate
 */
import {
  Tag, bitString, boolean, derNull, explicit, octetString, oid, sequence, set, smallInteger,
  stringOf, unsignedInteger,
} from './der.js';

const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
} as const;

/** Short names mbedTLS accepts in a subject/issuer string, with their OIDs. */
const ATTRIBUTES: Record<string, string> = {
  CN: '2.5.4.3', commonName: '2.5.4.3',
  C: '2.5.4.6', countryName: '2.5.4.6',
  O: '2.5.4.10', organizationName: '2.5.4.10',
  L: '2.5.4.7', locality: '2.5.4.7',
  R: '1.2.840.113549.1.9.1', emailAddress: '1.2.840.113549.1.9.1',
  OU: '2.5.4.11', organizationalUnitName: '2.5.4.11',
  ST: '2.5.4.8', stateOrProvinceName: '2.5.4.8',
  serialNumber: '2.5.4.5',
  postalAddress: '2.5.4.16',
  postalCode: '2.5.4.17',
  dnQualifier: '2.5.4.46',
  title: '2.5.4.12',
  surName: '2.5.4.4', SN: '2.5.4.4',
  givenName: '2.5.4.42', GN: '2.5.4.42',
  initials: '2.5.4.43',
  pseudonym: '2.5.4.65',
  generationQualifier: '2.5.4.44',
  domainComponent: '0.9.2342.19200300.100.1.25', DC: '0.9.2342.19200300.100.1.25',
};

function stringTagFor(attrOid: string): number {
  if (attrOid === '2.5.4.6') return Tag.PRINTABLE_STRING;
  if (attrOid === '1.2.840.113549.1.9.1' || attrOid === '0.9.2342.19200300.100.1.25') return Tag.IA5_STRING;
  return Tag.UTF8_STRING;
}

/** Parses "CN=a,O=b\,c,C=IT" into (oid, value) pairs; null for an unknown key or bad syntax. */
export function parseName(text: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  let key = '';
  let value = '';
  let inValue = false;
  const flush = (): boolean => {
    const attrOid = ATTRIBUTES[key.trim()];
    if (!inValue || attrOid === undefined) return false;
    out.push([attrOid, value]);
    key = '';
    value = '';
    inValue = false;
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (!inValue) {
      if (ch === '=') inValue = true;
      else key += ch;
    } else if (ch === '\\' && i + 1 < text.length) {
      value += text[++i] ?? '';
    } else if (ch === ',') {
      if (!flush()) return null;
    } else {
      value += ch;
    }
  }
  if (!flush()) return null;
  return out;
}

function encodeName(attrs: Array<[string, string]>): Uint8Array {
  return sequence(...attrs.map(([o, v]) => set(sequence(oid(o), stringOf(stringTagFor(o), v)))));
}

/** "YYYYMMDDhhmmss" → UTCTime or GeneralizedTime (mbedTLS x509_write_time); null if malformed. */
export function encodeTime(text: string): Uint8Array | null {
  if (!/^\d{14}$/.test(text)) return null;
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(text.slice(8, 10)) > 23 ||
    Number(text.slice(10, 12)) > 59 || Number(text.slice(12, 14)) > 59) return null;
  if (text.startsWith('20') && (text[2] ?? '9') < '5') return stringOf(Tag.UTC_TIME, `${text.slice(2)}Z`);
  return stringOf(Tag.GENERALIZED_TIME, `${text}Z`);
}

export interface SelfSignedInput {
  keyKind: 'rsa' | 'ec';
  /** SubjectPublicKeyInfo DER of the key. */
  spki: Uint8Array;
  issuerName: string;
  notBefore: string;
  notAfter: string;
  /** 20 random bytes. */
  serial: Uint8Array;
  /** Signs the TBSCertificate with SHA-256 and the private key. */
  sign: (tbs: Uint8Array) => Uint8Array;
}

/** The DER certificate, or null when the name or a date is malformed. */
export function buildSelfSigned(input: SelfSignedInput): Uint8Array | null {
  const name = parseName(input.issuerName);
  const notBefore = encodeTime(input.notBefore);
  const notAfter = encodeTime(input.notAfter);
  if (!name || name.length === 0 || !notBefore || !notAfter) return null;
  const sigAlg = input.keyKind === 'rsa'
    ? sequence(oid(OID.sha256WithRSAEncryption), derNull())
    : sequence(oid(OID.ecdsaWithSHA256));
  const basicConstraints = sequence(oid(OID.basicConstraints),
    octetString(sequence(boolean(true), smallInteger(0))));
  const encodedName = encodeName(name);
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(input.serial),
    sigAlg,
    encodedName,
    sequence(notBefore, notAfter),
    encodedName,
    input.spki,
    explicit(3, sequence(basicConstraints)),
  );
  return sequence(tbs, sigAlg, bitString(input.sign(tbs)));
}
