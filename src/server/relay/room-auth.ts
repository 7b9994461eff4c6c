/**
 * The room request a Godot 4 client makes in SceneMultiplayer's authentication exchange, and
 * the relay's answer — the whole "rooms" wire contract of `gdwire serve`. All payloads are
 * UTF-8 text inside SceneMultiplayer AUTH messages (`[07][00][payload…]`, godot-wire.md §6.7):
 *
 *   client → relay   `room:<name>`       join (or open) room <name>
 *   relay  → client  `ok:<name>`         admitted to <name>; the client then calls complete_auth(1)
 *   relay  → client  `error:<reason>`    refused (reasons below); the relay then disconnects
 *
 * A room name is 1–32 characters of `A–Z a–z 0–9 _ - .` (so it is safe in logs, metrics and
 * URLs). The GDScript a Godot 4 game needs (client side):
 *
 *     multiplayer.auth_callback = func(id, data):          # the relay's answer
 *         if data.get_string_from_utf8().begins_with("ok:"):
 *             multiplayer.complete_auth(id)
 *     multiplayer.peer_authenticating.connect(func(id):   # id == 1: the relay
 *         multiplayer.send_auth(1, "room:lobby".to_utf8_buffer()))
 *     peer.create_client(host, port)
 *     multiplayer.multiplayer_peer = peer
 *
 * Calling `complete_auth(1)` right after `send_auth` also works (Godot then logs one harmless
 * "len != 2" error when the `ok:` answer arrives after it already admitted the relay). A game
 * without an `auth_callback` is admitted by Godot at once and lands in the default room.
 */

/** What a client's auth payload starts with. */
export const ROOM_REQUEST_PREFIX = 'room:';
/** Longest room name, in characters (= bytes: the alphabet is ASCII). */
export const MAX_ROOM_NAME = 32;
const ROOM_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Why a room request is refused — stable strings, sent as `error:<reason>` and counted as
 * relay drops of the same name.
 * - `bad-room-request`: the payload is not `room:<name>` (or not UTF-8).
 * - `bad-room-name`: the name is empty, longer than {@link MAX_ROOM_NAME} or has other characters.
 * - `room-full`: the room has `roomSize` peers.
 * - `rooms-full`: `maxRooms` rooms are open and the name is a new one.
 * - `server-full`: `maxClients` peers are connected.
 */
export const ROOM_REFUSALS = ['bad-room-request', 'bad-room-name', 'room-full', 'rooms-full', 'server-full'] as const;
export type RoomRefusal = typeof ROOM_REFUSALS[number];

export type RoomRequest = { readonly ok: true; readonly room: string } | { readonly ok: false; readonly reason: RoomRefusal };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Whether `name` is a valid room name. */
export function isValidRoomName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_ROOM_NAME && ROOM_NAME.test(name);
}

/** Reads a client's auth payload as a room request. Never throws. */
export function parseRoomRequest(payload: Uint8Array): RoomRequest {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, reason: 'bad-room-request' };
  }
  if (!text.startsWith(ROOM_REQUEST_PREFIX)) return { ok: false, reason: 'bad-room-request' };
  const room = text.slice(ROOM_REQUEST_PREFIX.length);
  return isValidRoomName(room) ? { ok: true, room } : { ok: false, reason: 'bad-room-name' };
}

/** `room:<name>` — what a client sends (tests, load generators). */
export function encodeRoomRequest(room: string): Uint8Array {
  return encoder.encode(`${ROOM_REQUEST_PREFIX}${room}`);
}

/** `ok:<room>` — the relay admitted the client to `room`. */
export function encodeRoomAccepted(room: string): Uint8Array {
  return encoder.encode(`ok:${room}`);
}

/** `error:<reason>` — the relay refused; a disconnect follows. */
export function encodeRoomRefused(reason: RoomRefusal): Uint8Array {
  return encoder.encode(`error:${reason}`);
}

/** The relay's answer as a client reads it; null for anything else. */
export function parseRoomAnswer(payload: Uint8Array): { ok: true; room: string } | { ok: false; reason: string } | null {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return null;
  }
  if (text.startsWith('ok:')) return { ok: true, room: text.slice(3) };
  if (text.startsWith('error:')) return { ok: false, reason: text.slice(6) };
  return null;
}
