/**
 * PacketPeer: the abstract packet interface every transport implements (UDP, DTLS, ENet,
 * MultiplayerPeer). Subclasses implement the four `_` primitives; the Variant layer
 * (getVar / putVar) and Godot's bookkeeping (getPacketError, encodeBufferMaxSize) live here.
 * @see godot core/io/packet_peer.cpp
 */
import { EventEmitter } from 'node:events';
import { Error, GodotError } from '../error.js';
import { bytesToVar, varToBytes } from '../variant/codec.js';
import type { GodotVersion, Variant } from '../variant/variant.js';

/** Godot's default `encode_buffer_max_size`: 8 MiB. */
export const DEFAULT_ENCODE_BUFFER_MAX_SIZE = 8 * 1024 * 1024;
const MIN_ENCODE_BUFFER = 1024;
const MAX_ENCODE_BUFFER = 256 * 1024 * 1024;

export interface PacketPeerOptions {
  /** Variant format used by getVar/putVar. Default 4 (current Godot 4.x). */
  godot?: GodotVersion;
}

/** Godot's next_power_of_2 for 32-bit values (1 → 1, 1025 → 2048). */
export function nextPowerOf2(n: number): number {
  if (n <= 1) return 1;
  return 2 ** Math.ceil(Math.log2(n));
}

export abstract class PacketPeer extends EventEmitter {
  /** The Variant format this peer reads and writes. */
  godot: GodotVersion;
  /** Godot 3.2's deprecated `allow_object_decoding`: OR-ed into getVar/putVar's flag. */
  allowObjectDecoding = false;
  private lastGetError: Error = Error.OK;
  private encodeBufferMax = DEFAULT_ENCODE_BUFFER_MAX_SIZE;

  constructor(options: PacketPeerOptions = {}) {
    super();
    this.godot = options.godot ?? 4;
  }

  /** Number of packets ready to read; −1 when the peer cannot be polled (Godot's value). */
  getAvailablePacketCount(): number { return this._getAvailablePacketCount(); }

  /**
   * The next packet, or an empty array when there is none (then getPacketError() says why:
   * ERR_UNAVAILABLE for an empty queue).
   */
  getPacket(): Uint8Array {
    const r = this._getPacket();
    this.lastGetError = r.error;
    return r.error === Error.OK && r.packet ? r.packet : new Uint8Array(0);
  }

  /** The Error of the last getPacket() or getVar(). */
  getPacketError(): Error { return this.lastGetError; }

  /**
   * The next packet decoded as a Variant; `null` when there is none or it does not decode.
   * Unlike Godot (which only prints), the reason is kept in getPacketError().
   */
  getVar(allowObjects = false): Variant {
    const r = this._getPacket();
    this.lastGetError = r.error;
    if (r.error !== Error.OK || !r.packet) return null;
    try {
      return bytesToVar(r.packet, {
        godot: this.godot,
        allowObjects: allowObjects || this.allowObjectDecoding,
      });
    } catch (e) {
      if (e instanceof GodotError) {
        this.lastGetError = e.code;
        return null;
      }
      throw e;
    }
  }

  /** Sends one raw packet. */
  putPacket(buffer: Uint8Array): Error { return this._putPacket(buffer); }

  /**
   * Encodes `value` (one Variant per packet, no framing) and sends it. ERR_OUT_OF_MEMORY when
   * the encoding is larger than encodeBufferMaxSize, as in Godot; the codec's error otherwise.
   */
  putVar(value: Variant, fullObjects = false): Error {
    let bytes: Uint8Array;
    try {
      bytes = varToBytes(value, {
        godot: this.godot,
        fullObjects: fullObjects || this.allowObjectDecoding,
      });
    } catch (e) {
      if (e instanceof GodotError) return e.code;
      throw e;
    }
    if (bytes.length > this.encodeBufferMax) return Error.ERR_OUT_OF_MEMORY;
    return this._putPacket(bytes);
  }

  getMaxPacketSize(): number { return this._getMaxPacketSize(); }

  getEncodeBufferMaxSize(): number { return this.encodeBufferMax; }

  /**
   * Godot's setter: at least 1024 and at most 256 MiB (else ERR_INVALID_PARAMETER, nothing
   * changes), rounded up to a power of two.
   */
  setEncodeBufferMaxSize(size: number): Error {
    if (!Number.isFinite(size) || size < MIN_ENCODE_BUFFER || size > MAX_ENCODE_BUFFER) {
      return Error.ERR_INVALID_PARAMETER;
    }
    this.encodeBufferMax = nextPowerOf2(Math.floor(size));
    return Error.OK;
  }

  get encodeBufferMaxSize(): number { return this.encodeBufferMax; }
  set encodeBufferMaxSize(size: number) { this.setEncodeBufferMaxSize(size); }

  protected abstract _getAvailablePacketCount(): number;
  protected abstract _getPacket(): { error: Error; packet?: Uint8Array };
  protected abstract _putPacket(buffer: Uint8Array): Error;
  protected abstract _getMaxPacketSize(): number;
}
