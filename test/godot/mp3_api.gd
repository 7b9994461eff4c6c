# A Godot 3.2.3 client using the high-level MultiplayerAPI over NetworkedMultiplayerENet, for
# test/interop/godot3-multiplayer-api.test.ts (the server is gdwire).
#
# Once it knows another client (a network_peer_connected other than 1), it sends:
#   multiplayer.send_bytes("raw <me> to <other>", other)   relayed by the server
#   multiplayer.send_bytes("raw <me> to server", 1)
#   /root/Main.rpc("hello", me)                              every peer (SIMPLIFY_PATH first)
# and prints what arrives:
#   GDWIRE_ID <id> / SIGNAL <name> [<id>] / PACKET from=<id> <text> / RPC hello <x> sender=<id>
# After the server disconnects it prints GDWIRE_OK and exits 0 (GDWIRE_FAIL and 1 on timeout).
# Args (after --): --port=N [--host=127.0.0.1] [--timeout=20]
extends SceneTree

var args = {}
var peer = null
var me = 0
var other = 0
var sent = false
var deadline = 0


func parse_args() -> void:
	var seen_sep = false
	for a in OS.get_cmdline_args():
		if a == "--":
			seen_sep = true
		elif seen_sep and a.begins_with("--") and a.find("=") > 0:
			args[a.substr(2, a.find("=") - 2)] = a.substr(a.find("=") + 1, a.length())


func _initialize() -> void:
	parse_args()
	OS.low_processor_usage_mode = true
	deadline = OS.get_ticks_msec() + int(args.get("timeout", "20")) * 1000
	var main = Node.new()
	main.name = "Main"
	main.set_script(load("res://mp3_api_node.gd"))
	root.add_child(main)
	peer = NetworkedMultiplayerENet.new()
	var err = peer.create_client(args.get("host", "127.0.0.1"), int(args.get("port", "0")))
	if err != OK:
		print("GDWIRE_FAIL create_client = ", err)
		quit(1)
		return
	me = peer.get_unique_id()
	print("GDWIRE_ID ", me)
	network_peer = peer
	multiplayer.connect("network_peer_packet", self, "_on_packet")
	connect("network_peer_connected", self, "_on_peer_connected")
	connect("connected_to_server", self, "_on_signal", ["connected_to_server"])
	connect("server_disconnected", self, "_on_server_disconnected")


func _on_signal(name) -> void:
	print("SIGNAL ", name)


func _on_peer_connected(id) -> void:
	print("SIGNAL network_peer_connected ", id)
	if id != 1:
		other = id


func _on_packet(id, packet) -> void:
	print("PACKET from=", id, " ", packet.get_string_from_ascii())


func _on_server_disconnected() -> void:
	print("SIGNAL server_disconnected")
	print("GDWIRE_OK")
	quit(0)


func _idle(_delta):
	if OS.get_ticks_msec() > deadline:
		print("GDWIRE_FAIL timeout")
		quit(1)
		return false
	if not sent and other != 0 and peer.get_connection_status() == NetworkedMultiplayerPeer.CONNECTION_CONNECTED:
		sent = true
		multiplayer.send_bytes(("raw %d to %d" % [me, other]).to_ascii(), other)
		multiplayer.send_bytes(("raw %d to server" % me).to_ascii(), 1)
		root.get_node("Main").rpc("hello", me)
		print("SENT")
	return false
