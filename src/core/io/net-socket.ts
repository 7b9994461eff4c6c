/**
 * Opening UDP sockets the way Godot's NetSocket does for a bind address (IP::Type): "*" is a
 * dual-stack IPv6 socket, an IPv4 literal an IPv4 socket, an IPv6 literal an IPv6-only one.
 * @see godot core/io/net_socket.h, drivers/unix/net_socket_posix.cpp (open, bind, _set_ip_type)
 */
import type { DatagramSocket, Network, SocketError, SocketFamily, SocketOptions } from '../../platform/platform.js';
import { isSocketError, toSocketError } from '../../platform/socket-error.js';
import { Error } from '../error.js';
import { isWildcard, normalizeIp } from './ip.js';

/** Largest UDP payload over IPv4 / IPv6; anything larger fails as EMSGSIZE would. */
export const MAX_PAYLOAD_V4 = 65507;
export const MAX_PAYLOAD_V6 = 65527;

/** How Godot opens a socket for a bind address (IP::Type): "*" → dual-stack. */
export interface SocketPlan {
  family: SocketFamily;
  address: string | undefined;
  ipv6Only: boolean;
  /** "*" only: fall back to IPv4 when the machine has no IPv6. */
  fallbackToV4: boolean;
}

/** The plan for `bindAddress`, or null when it is neither "*" nor an IP literal. */
export function socketPlan(bindAddress: string): SocketPlan | null {
  if (isWildcard(bindAddress)) return { family: 'udp6', address: '::', ipv6Only: false, fallbackToV4: true };
  const ip = normalizeIp(bindAddress);
  if (ip === null) return null;
  if (ip.includes(':')) return { family: 'udp6', address: ip, ipv6Only: true, fallbackToV4: false };
  return { family: 'udp4', address: ip, ipv6Only: false, fallbackToV4: false };
}

const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EADDRNOTAVAIL']);

/**
 * Creates and binds a socket per `plan` (retrying as udp4 "0.0.0.0" for "*" without IPv6).
 * `adopt` sees each socket before it binds, so no datagram is missed.
 */
export async function openBoundSocket(
  network: Network, plan: SocketPlan, port: number, reuseAddr: boolean,
  adopt: (sock: DatagramSocket) => void, options: SocketOptions = {},
): Promise<{ sock: DatagramSocket } | { error: Error; cause: SocketError }> {
  const attempt = async (family: SocketFamily, address: string | undefined, ipv6Only: boolean):
  Promise<DatagramSocket | SocketError> => {
    const sock = network.createSocket(family, options);
    adopt(sock);
    try {
      await sock.bind(port, address, { ipv6Only, reuseAddr });
      return sock;
    } catch (e) {
      sock.close();
      return toSocketError(e);
    }
  };
  let r = await attempt(plan.family, plan.address, plan.ipv6Only);
  if (isSocketError(r) && plan.fallbackToV4 && NO_IPV6.has(r.code)) r = await attempt('udp4', '0.0.0.0', false);
  if (!isSocketError(r)) return { sock: r };
  // Godot: a socket that cannot be opened is ERR_CANT_CREATE; any bind failure ERR_UNAVAILABLE.
  const code = r.code === 'EAFNOSUPPORT' || r.code === 'EPROTONOSUPPORT' ? Error.ERR_CANT_CREATE : Error.ERR_UNAVAILABLE;
  return { error: code, cause: r };
}

/**
 * {@link openBoundSocket} for an owner that may be closed while the bind is under way
 * (PacketPeerUDP.close, UDPServer.stop). When `cancelled()` says so afterwards, the socket
 * (maybe a udp4 fallback) is closed, `disown` clears it from the owner, and the result is
 * FAILED without a `cause`; a bind error keeps its `cause`.
 */
export async function openOwnedSocket(
  network: Network, plan: SocketPlan, port: number, reuseAddr: boolean,
  adopt: (sock: DatagramSocket) => void, cancelled: () => boolean, disown: (sock: DatagramSocket) => void,
): Promise<{ sock: DatagramSocket } | { error: Error; cause?: SocketError }> {
  const r = await openBoundSocket(network, plan, port, reuseAddr, adopt);
  if (!cancelled()) return r;
  if ('sock' in r) {
    r.sock.close();
    disown(r.sock);
  }
  return { error: Error.FAILED };
}

export function isValidPort(port: number, min: number): boolean {
  return Number.isInteger(port) && port >= min && port <= 65535;
}

/** The largest payload one datagram to `ip` can carry. */
export function maxPayloadFor(ip: string): number {
  return ip.includes(':') ? MAX_PAYLOAD_V6 : MAX_PAYLOAD_V4;
}
