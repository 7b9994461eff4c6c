/**
 * `gdwire echo`: a UDPServer that answers every packet with the same Variant re-encoded, and
 * logs each new peer and what it sent. A Godot client can test its put_var/get_var against it:
 *
 *     var udp = PacketPeerUDP.new(); udp.connect_to_host("127.0.0.1", 4242)
 *     udp.put_var({"hello": Vector2(1, 2)})   # … later: udp.get_var() is the same value
 */
import { errorName, Error as GodotErr, GodotError } from '../core/error.js';
import type { PacketPeerUDP } from '../core/io/packet-peer-udp.js';
import { UDPServer } from '../core/io/udp-server.js';
import { bytesToVar } from '../core/variant/codec.js';
import type { GodotVersion } from '../core/variant/variant.js';
import { CliError } from './cli-error.js';
import { formatVariant } from './format.js';
import { makeLog, type CliLog } from './log.js';
import { parseGodotVersion, parsePort } from './options.js';

export interface EchoArgs { port: string; bind: string; godot: string; logLevel: string }

/** A peer that sends nothing for this long is forgotten (UDP has no disconnect). */
const IDLE_MS = 60_000;

export async function runEcho(args: EchoArgs): Promise<number> {
  const log = makeLog(args.logLevel);
  const godot = parseGodotVersion(args.godot);
  const server = new UDPServer({ godot });
  const err = await server.listen(parsePort(args.port), args.bind);
  if (err !== GodotErr.OK) throw new CliError(`cannot listen on ${args.bind}:${args.port}: ${errorName(err)}`);
  log('info', 'echo server listening', { port: server.getLocalPort(), bind: args.bind, godot: String(godot) });

  const forgetAll = new Set<() => void>();
  server.on('connection', (peer: PacketPeerUDP) => forgetAll.add(servePeer(peer, godot, log)));

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log('info', 'stopping', { signal });
      for (const forget of forgetAll) forget();
      server.stop();
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

/** Serves one peer; returns a function that forgets it (closes it, clears its timer). */
function servePeer(peer: PacketPeerUDP, godot: GodotVersion, log: CliLog): () => void {
  const who = `${peer.getPacketIp()}:${peer.getPacketPort()}`;
  log('info', 'new peer', { peer: who });
  let idle = setTimeout(onIdle, IDLE_MS);
  function onIdle(): void {
    log('info', 'peer idle, forgotten', { peer: who });
    forget();
  }
  function forget(): void {
    clearTimeout(idle);
    peer.close();
  }
  peer.on('packet', (data: Uint8Array) => {
    clearTimeout(idle);
    idle = setTimeout(onIdle, IDLE_MS);
    let value;
    try {
      value = bytesToVar(data, { godot });
    } catch (e) {
      if (!(e instanceof GodotError)) throw e;
      log('warn', 'undecodable packet, not echoed', { peer: who, bytes: data.length, error: errorName(e.code) });
      return;
    }
    log('info', 'received', { peer: who, bytes: data.length, value: formatVariant(value) });
    const sent = peer.putVar(value);
    if (sent !== GodotErr.OK) log('warn', 'echo failed', { peer: who, error: errorName(sent) });
  });
  return forget;
}
