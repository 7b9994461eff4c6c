# A NetworkedMultiplayerENet peer (server or client) remote-controlled through its own packets,
# for test/interop/godot3-multiplayer*.test.ts (Godot 3.2.3).
#
# It prints what it sees, one line each:
#   GDWIRE_LISTENING <port>            server created
#   GDWIRE_ID <id>                     client created (its unique id)
#   SIGNAL <name> [<id>]               every NetworkedMultiplayerPeer signal, in order
#   RECV from=<id> ch=<ch> <text>      every packet that is not a command
#   CMD <command>                      every command it runs, then RESULT <error code>
# A packet whose text starts with "CMD " is a command:
#   CMD send <target> <mode> <channel> <text…>   set_target_peer, transfer_mode, transfer_channel, put_packet
#   CMD refuse <0|1>                  refuse_new_connections
#   CMD kick <id> <0|1>                disconnect_peer(id, now)
#   CMD close                          close_connection(), then exit (GDWIRE_OK)
#   CMD quit                           exit (GDWIRE_OK)
# A client exits (GDWIRE_OK) after server_disconnected. Exit 1 with GDWIRE_FAIL on timeout.
# Args (after --): --role=server|client --port=N [--host=127.0.0.1] [--compression=0..4]
#   [--relay=1] [--max=8] [--timeout=20]
extends SceneTree

var args = {}
var peer = null
var done = false


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


func on_signal(a, b = null) -> void:
	# signals with an id arrive as (id, name); the others as (name)
	if b == null:
		print("SIGNAL ", a)
	else:
		print("SIGNAL ", b, " ", a)
	if (b == null and a == "server_disconnected"):
		done = true


func command(text: String) -> void:
	print("CMD ", text.substr(4, text.length()))
	var w = text.split(" ")
	var rc = OK
	if w[1] == "send":
		peer.set_target_peer(int(w[2]))
		peer.set_transfer_mode(int(w[3]))
		peer.transfer_channel = int(w[4])
		var rest = PoolStringArray()
		for i in range(5, w.size()):
			rest.append(w[i])
		rc = peer.put_packet(rest.join(" ").to_ascii())
	elif w[1] == "refuse":
		peer.refuse_new_connections = w[2] == "1"
	elif w[1] == "kick":
		peer.disconnect_peer(int(w[2]), w[3] == "1")
	elif w[1] == "close":
		peer.close_connection()
		done = true
	elif w[1] == "quit":
		done = true
	else:
		rc = ERR_INVALID_PARAMETER
	print("RESULT ", rc)


func run():
	parse_args()
	var role = args.get("role", "server")
	var port = int(args.get("port", "0"))
	var total_ms = int(args.get("timeout", "20")) * 1000
	peer = NetworkedMultiplayerENet.new()
	peer.compression_mode = int(args.get("compression", "0"))
	peer.server_relay = args.get("relay", "1") == "1"
	for s in ["peer_connected", "peer_disconnected"]:
		peer.connect(s, self, "on_signal", [s])
	for s in ["connection_succeeded", "connection_failed", "server_disconnected"]:
		peer.connect(s, self, "on_signal", [s])
	var err = OK
	if role == "server":
		peer.set_bind_ip("127.0.0.1")
		err = peer.create_server(port, int(args.get("max", "8")))
		if err == OK:
			print("GDWIRE_LISTENING ", port)
	else:
		err = peer.create_client(args.get("host", "127.0.0.1"), port)
		if err == OK:
			print("GDWIRE_ID ", peer.get_unique_id())
	if err != OK:
		print("GDWIRE_FAIL create ", role, " = ", err)
		return 1
	var deadline = OS.get_ticks_msec() + total_ms
	while OS.get_ticks_msec() < deadline and not done:
		if peer.get_connection_status() != NetworkedMultiplayerPeer.CONNECTION_DISCONNECTED:
			peer.poll()
		while not done and peer.get_available_packet_count() > 0:
			var from = peer.get_packet_peer()
			var ch = peer.get_packet_channel()
			var text = peer.get_packet().get_string_from_ascii()
			if text.begins_with("CMD "):
				command(text)
			else:
				print("RECV from=", from, " ch=", ch, " ", text)
		OS.delay_msec(1)
	if not done:
		print("GDWIRE_FAIL timeout")
		return 1
	print("GDWIRE_OK")
	return 0
