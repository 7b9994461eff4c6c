/**
 * X509Certificate: one certificate or a chain (leaf first), loaded from and saved to PEM.
 * @see godot core/crypto/crypto.h, modules/mbedtls/crypto_mbedtls.cpp (X509CertificateMbedTLS)
 *
 * Differences from Godot: load()/loadFromString() replace the chain instead of appending to
 * it (mbedtls_x509_crt_parse appends), and save() writes every certificate of the chain
 * (Godot 3.2's save writes the first one once per chain entry).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCertificate, type ParsedCertificate } from '../../platform/crypto.js';
import { Error } from '../error.js';
import { fromPem, toPem } from './der.js';

const LABEL = 'CERTIFICATE';

export class X509Certificate {
  private chain: ParsedCertificate[] = [];

  /** @internal Wraps DER certificates (leaf first); null if one does not parse. */
  static fromDer(...ders: Uint8Array[]): X509Certificate | null {
    const parsed = ders.map(parseCertificate);
    if (parsed.some((p) => p === null)) return null;
    const c = new X509Certificate();
    c.chain = parsed.filter((p): p is ParsedCertificate => p !== null);
    return c;
  }

  /**
   * Loads every certificate of a PEM file (or one DER certificate). ERR_INVALID_PARAMETER
   * when the file cannot be read, FAILED when nothing (or something malformed) is in it.
   */
  load(path: string): Error {
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch {
      return Error.ERR_INVALID_PARAMETER;
    }
    const text = Buffer.from(data).toString('latin1');
    if (!text.includes('-----BEGIN')) {
      const one = parseCertificate(data);
      if (!one) return Error.FAILED;
      this.chain = [one];
      return Error.OK;
    }
    return this.loadFromString(text);
  }

  /** Writes the chain as PEM. ERR_INVALID_PARAMETER when the file cannot be written. */
  save(path: string): Error {
    if (this.chain.length === 0) return Error.FAILED;
    try {
      writeFileSync(path, this.saveToString());
      return Error.OK;
    } catch {
      return Error.ERR_INVALID_PARAMETER;
    }
  }

  /** Parses every CERTIFICATE block of a PEM string. FAILED (chain unchanged) on any bad block or none. */
  loadFromString(string: string): Error {
    const blocks = fromPem(LABEL, string);
    if (blocks.length === 0) return Error.FAILED;
    const parsed: ParsedCertificate[] = [];
    for (const der of blocks) {
      const p = der ? parseCertificate(der) : null;
      if (!p) return Error.FAILED;
      parsed.push(p);
    }
    this.chain = parsed;
    return Error.OK;
  }

  /** The chain as PEM ("" when empty). */
  saveToString(): string {
    return this.chain.map((c) => toPem(LABEL, c.der)).join('');
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /** How many certificates the chain holds. */
  getCertificateCount(): number {
    return this.chain.length;
  }

  /** The DER of certificate `index` (0 = leaf), or null. */
  getDer(index = 0): Uint8Array | null {
    return this.chain[index]?.der ?? null;
  }

  /** Subject of certificate `index` in Node's text form ("CN=myserver\nO=…"), or "". */
  getSubject(index = 0): string {
    return this.chain[index]?.subject ?? '';
  }

  /** @internal */
  parsed(): readonly ParsedCertificate[] {
    return this.chain;
  }
}
