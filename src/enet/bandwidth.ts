/**
 * Bandwidth management, once per second: share the host's outgoing bandwidth among connected
 * peers by lowering their unreliable throttle limit, and — when the host's limits changed or
 * peers came or went — tell each peer how much it may send us (BANDWIDTH_LIMIT).
 *
 * Arithmetic is exact here where ENet's 32-bit products can overflow (bandwidth × elapsed
 * milliseconds); the results only differ for bandwidths above ~4 MB/s, where ENet's wrap
 * gives meaningless limits.
 *
 * @see enet host.c enet_host_bandwidth_throttle
 */
import type { Host } from './host.js';
import { PEER_PACKET_THROTTLE_SCALE, type Peer } from './peer.js';
import { COMMAND_FLAG_ACKNOWLEDGE, ProtocolCommand } from './protocol.js';
import { timeSub } from './time.js';
import { PeerState } from './types.js';

/** @see enet enet.h ENET_HOST_BANDWIDTH_THROTTLE_INTERVAL */
export const HOST_BANDWIDTH_THROTTLE_INTERVAL = 1000;
const UINT32_MAX = 0xffffffff;

function isActive(peer: Peer): boolean {
  return peer.state === PeerState.CONNECTED || peer.state === PeerState.DISCONNECT_LATER;
}

export function bandwidthThrottle(host: Host): void {
  const now = host.serviceTime;
  const elapsed = timeSub(now, host.bandwidthThrottleEpoch);
  if (elapsed < HOST_BANDWIDTH_THROTTLE_INTERVAL) return;
  host.bandwidthThrottleEpoch = now;
  let peersRemaining = host.connectedPeers;
  if (peersRemaining === 0) return;

  let dataTotal = UINT32_MAX;
  let bandwidth = UINT32_MAX;
  if (host.outgoingBandwidth !== 0) {
    dataTotal = 0;
    bandwidth = Math.floor((host.outgoingBandwidth * elapsed) / 1000);
    for (const peer of host.peers) if (isActive(peer)) dataTotal += peer.outgoingDataTotal;
  }

  // Peers that can receive less than their share get a throttle limit matching what they can take.
  let needsAdjustment = host.bandwidthLimitedPeers > 0;
  while (peersRemaining > 0 && needsAdjustment) {
    needsAdjustment = false;
    const throttle =
      dataTotal <= bandwidth ? PEER_PACKET_THROTTLE_SCALE : Math.floor((bandwidth * PEER_PACKET_THROTTLE_SCALE) / dataTotal);
    for (const peer of host.peers) {
      if (!isActive(peer) || peer.incomingBandwidth === 0 || peer.outgoingBandwidthThrottleEpoch === now) continue;
      const peerBandwidth = Math.floor((peer.incomingBandwidth * elapsed) / 1000);
      if (Math.floor((throttle * peer.outgoingDataTotal) / PEER_PACKET_THROTTLE_SCALE) <= peerBandwidth) continue;
      peer.packetThrottleLimit = Math.max(
        1,
        Math.floor((peerBandwidth * PEER_PACKET_THROTTLE_SCALE) / peer.outgoingDataTotal),
      );
      if (peer.packetThrottle > peer.packetThrottleLimit) peer.packetThrottle = peer.packetThrottleLimit;
      peer.outgoingBandwidthThrottleEpoch = now;
      peer.incomingDataTotal = 0;
      peer.outgoingDataTotal = 0;
      needsAdjustment = true;
      peersRemaining--;
      bandwidth = Math.max(0, bandwidth - peerBandwidth);
      dataTotal = Math.max(0, dataTotal - peerBandwidth);
    }
  }

  // Everyone else shares what is left.
  if (peersRemaining > 0) {
    const throttle =
      dataTotal <= bandwidth ? PEER_PACKET_THROTTLE_SCALE : Math.floor((bandwidth * PEER_PACKET_THROTTLE_SCALE) / dataTotal);
    for (const peer of host.peers) {
      if (!isActive(peer) || peer.outgoingBandwidthThrottleEpoch === now) continue;
      peer.packetThrottleLimit = throttle;
      if (peer.packetThrottle > peer.packetThrottleLimit) peer.packetThrottle = peer.packetThrottleLimit;
      peer.incomingDataTotal = 0;
      peer.outgoingDataTotal = 0;
    }
  }

  if (host.recalculateBandwidthLimits) recalculateBandwidthLimits(host, now);
}

/** Splits the host's incoming bandwidth among peers and sends each its BANDWIDTH_LIMIT. */
function recalculateBandwidthLimits(host: Host, now: number): void {
  host.recalculateBandwidthLimits = false;
  let peersRemaining = host.connectedPeers;
  let bandwidth = host.incomingBandwidth;
  let bandwidthLimit = 0;
  if (bandwidth !== 0) {
    let needsAdjustment = true;
    while (peersRemaining > 0 && needsAdjustment) {
      needsAdjustment = false;
      bandwidthLimit = Math.floor(bandwidth / peersRemaining);
      for (const peer of host.peers) {
        if (!isActive(peer) || peer.incomingBandwidthThrottleEpoch === now) continue;
        // A peer sending less than its share keeps its own rate; the rest is redistributed.
        if (peer.outgoingBandwidth > 0 && peer.outgoingBandwidth >= bandwidthLimit) continue;
        peer.incomingBandwidthThrottleEpoch = now;
        needsAdjustment = true;
        peersRemaining--;
        bandwidth = Math.max(0, bandwidth - peer.outgoingBandwidth);
      }
    }
  }
  for (const peer of host.peers) {
    if (!isActive(peer)) continue;
    peer.queueOutgoingCommand(
      {
        type: ProtocolCommand.BANDWIDTH_LIMIT,
        flags: COMMAND_FLAG_ACKNOWLEDGE,
        channelID: 0xff,
        reliableSequenceNumber: 0,
        outgoingBandwidth: host.outgoingBandwidth,
        incomingBandwidth: peer.incomingBandwidthThrottleEpoch === now ? peer.outgoingBandwidth : bandwidthLimit,
      },
      null,
      0,
      0,
    );
  }
}
