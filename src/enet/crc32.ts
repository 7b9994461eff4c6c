/**
 * ENet's optional datagram checksum: the reflected CRC-32 (polynomial 0x04C11DB7, reflected
 * 0xEDB88320; initial value 0xFFFFFFFF; final complement) — the same function as zlib's crc32.
 * enet_crc32 returns the value already in network byte order, and the host stores it raw in
 * the 4 bytes after the header: on the wire the checksum is the CRC written BIG-ENDIAN.
 *
 * While the checksum is computed, the checksum field itself holds the peer's connectID
 * (0 for datagrams sent without a peer id), so a datagram replayed into another session
 * fails the check.
 *
 * @see enet callbacks.c enet_crc32, initialize_crc32
 * @see enet protocol.c enet_protocol_send_outgoing_commands / handle_incoming_commands
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Continues a CRC over `bytes`; start with 0xFFFFFFFF and complement the result. */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) {
    c = (TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)) >>> 0;
  }
  return c;
}

/** CRC-32 of the concatenation of `parts`, as an unsigned 32-bit number. */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) c = crc32Update(c, p);
  return (c ^ 0xffffffff) >>> 0;
}
