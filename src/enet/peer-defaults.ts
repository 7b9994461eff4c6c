/**
 * ENet's per-peer constants and defaults.
 * @see enet include/enet/enet.h (ENET_PEER_*)
 */
export const PEER_DEFAULT_ROUND_TRIP_TIME = 500;
export const PEER_DEFAULT_PACKET_THROTTLE = 32;
export const PEER_PACKET_THROTTLE_SCALE = 32;
export const PEER_PACKET_THROTTLE_COUNTER = 7;
export const PEER_PACKET_THROTTLE_ACCELERATION = 2;
export const PEER_PACKET_THROTTLE_DECELERATION = 2;
export const PEER_PACKET_THROTTLE_INTERVAL = 5000;
export const PEER_PACKET_LOSS_SCALE = 1 << 16;
export const PEER_PACKET_LOSS_INTERVAL = 10000;
export const PEER_WINDOW_SIZE_SCALE = 64 * 1024;
export const PEER_TIMEOUT_LIMIT = 32;
export const PEER_TIMEOUT_MINIMUM = 5000;
export const PEER_TIMEOUT_MAXIMUM = 30000;
export const PEER_PING_INTERVAL = 500;
export const PEER_UNSEQUENCED_WINDOWS = 64;
export const PEER_UNSEQUENCED_WINDOW_SIZE = 1024;
export const PEER_FREE_UNSEQUENCED_WINDOWS = 32;
