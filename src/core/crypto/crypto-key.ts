/**
 * CryptoKey: an RSA or EC key pair, or a public key alone.
 * @see godot core/crypto/crypto.h, modules/mbedtls/crypto_mbedtls.cpp (CryptoKeyMbedTLS)
 *
 * PEM in and out, in the forms mbedTLS writes: "RSA PRIVATE KEY" (PKCS#1) or "EC PRIVATE
 * KEY" (SEC1) for a private key, "PUBLIC KEY" (SubjectPublicKeyInfo) for a public one.
 * Loading accepts anything OpenSSL parses (PKCS#8 too). A key in use by a TLSOptions is
 * not locked as Godot locks it: TLSOptions copies what it needs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseKey, type KeyKind, type ParsedKey } from '../../platform/crypto.js';
import { Error } from '../error.js';

export class CryptoKey {
  private key: ParsedKey | null = null;
  private publicOnly = false;

  /** @internal Wraps a parsed key (Crypto.generateRsa). */
  static fromParsed(key: ParsedKey, publicOnly = false): CryptoKey {
    const k = new CryptoKey();
    k.key = key;
    k.publicOnly = publicOnly || key.privatePem === null;
    return k;
  }

  /**
   * Loads a PEM (or DER) key file. With `publicOnly` the file must hold a public key.
   * ERR_INVALID_PARAMETER when the file cannot be read, FAILED when it does not parse.
   */
  load(path: string, publicOnly = false): Error {
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch {
      return Error.ERR_INVALID_PARAMETER;
    }
    const text = Buffer.from(data).toString('latin1');
    return this.setFrom(text.includes('-----BEGIN') ? text : data, publicOnly);
  }

  /** Writes the key as PEM (the public half only with `publicOnly`). ERR_INVALID_PARAMETER when the file cannot be written. */
  save(path: string, publicOnly = false): Error {
    const pem = this.saveToString(publicOnly);
    if (pem === '') return Error.FAILED;
    try {
      writeFileSync(path, pem);
      return Error.OK;
    } catch {
      return Error.ERR_INVALID_PARAMETER;
    }
  }

  /** Parses a PEM string. FAILED when it does not parse (the key is then left unchanged). */
  loadFromString(stringKey: string, publicOnly = false): Error {
    return this.setFrom(stringKey, publicOnly);
  }

  /** The key as PEM; "" when there is none. A public-only key always saves its public half. */
  saveToString(publicOnly = false): string {
    if (!this.key) return '';
    if (publicOnly || this.publicOnly || this.key.privatePem === null) return this.key.publicPem;
    return this.key.privatePem;
  }

  isPublicOnly(): boolean {
    return this.publicOnly;
  }

  // --- gdwire additions ----------------------------------------------------------------------

  /** 'rsa', 'ec', 'other', or null when nothing is loaded. */
  getKeyType(): KeyKind | null {
    return this.key?.kind ?? null;
  }

  /** RSA modulus bits or EC field bits; 0 when nothing is loaded. */
  getKeySize(): number {
    return this.key?.bits ?? 0;
  }

  /** @internal */
  parsed(): ParsedKey | null {
    return this.key;
  }

  private setFrom(input: string | Uint8Array, publicOnly: boolean): Error {
    const parsed = parseKey(input, publicOnly);
    if (!parsed) return Error.FAILED;
    this.key = parsed;
    this.publicOnly = publicOnly;
    return Error.OK;
  }
}
