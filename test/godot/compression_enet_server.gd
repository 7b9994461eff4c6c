# NetworkedMultiplayerENet echo server with packet compression, for
# test/interop/compression-enet-godot3.test.ts (Godot 3.2.3).
# Every packet a client sends (to the server, target 1) is sent back to that client, reliable
# (ENet channel 1). A packet whose payload is "GDWIRE_DONE" ends the run:
# the script prints `ECHOED <n>` and GDWIRE_OK, then closes.
# Args (after --): --port=N --mode=<NetworkedMultiplayerENet.COMPRESS_*> [--timeout=20]
extends SceneTree

const DONE = "GDWIRE_DONE"

var args = {}


func _init():
	var rc = run()
	quit(rc if typeof(rc) == TYPE_INT else 2)


func parse_args() -> void:
	var seen_sep = false
	for a in OS.get_cmdline_args():
		if a == "--":
			seen_sep = true
		elif seen_sep and a.begins_with("--") and a.find("=") > 0:
			args[a.substr(2, a.find("=") - 2)] = a.substr(a.find("=") + 1, a.length())


func _on_peer_connected(id) -> void:
	print("PEER_CONNECTED ", id)


func run():
	parse_args()
	var port = int(args.get("port", "0"))
	var total_ms = int(args.get("timeout", "20")) * 1000
	var peer = NetworkedMultiplayerENet.new()
	peer.compression_mode = int(args.get("mode", "0"))
	peer.set_bind_ip("127.0.0.1")
	var err = peer.create_server(port, 4)
	if err != OK:
		print("GDWIRE_FAIL create_server(%d) = %d" % [port, err])
		return 1
	peer.connect("peer_connected", self, "_on_peer_connected")
	print("GDWIRE_LISTENING ", port, " MODE ", peer.compression_mode)
	var echoed = 0
	var deadline = OS.get_ticks_msec() + total_ms
	while OS.get_ticks_msec() < deadline:
		peer.poll()
		while peer.get_available_packet_count() > 0:
			var from = peer.get_packet_peer()
			var pkt = peer.get_packet()
			if pkt.get_string_from_ascii() == DONE:
				print("ECHOED ", echoed)
				print("GDWIRE_OK")
				peer.close_connection()
				return 0
			peer.set_target_peer(from)
			peer.set_transfer_mode(NetworkedMultiplayerPeer.TRANSFER_MODE_RELIABLE)
			var pe = peer.put_packet(pkt)
			if pe != OK:
				print("SEND_ERROR ", pe)
			echoed += 1
		OS.delay_msec(1)
	print("GDWIRE_FAIL timeout after ", echoed, " packets")
	peer.close_connection()
	return 1
