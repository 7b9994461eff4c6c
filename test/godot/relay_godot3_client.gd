# A Godot 3.2.3 game client joining a gdwire relay (`gdwire serve --godot 3`), for
# test/interop/relay-godot3.test.ts. Uses the high-level MultiplayerAPI over
# NetworkedMultiplayerENet; node /root/Main carries `remote` functions (relay_godot3_node.gd).
#
# Once it knows another client (network_peer_connected with an id other than 1) it sends it:
#   Main.rpc_id(other, "hello", me, name)             reliable, SIMPLIFY_PATH first
#   Main.rpc("everyone", me)                           to every peer (target 0, relayed)
#   Main.rpc_unreliable_id(other, "unreliable", me)    channel 2
#   multiplayer.send_bytes("bytes <name> to <other>", other)
#   peer.put_packet([RAW] + "put <name>") with peer.transfer_mode UNRELIABLE_ORDERED, target other
# and prints everything it receives:
#   GDWIRE_ID <id> / SIGNAL <name> [<id>] / RPC hello|everyone|unreliable ... sender=<id> /
#   PACKET from=<id> <text> / SENT
# After the server disconnects it prints GDWIRE_OK and exits 0 (GDWIRE_FAIL and 1 on timeout).
# Args (after --): --port=N --name=A [--host=127.0.0.1] [--timeout=20]
#   DTLS over ENet (test/interop/relay-godot3-dtls.test.ts): --dtls-cert=<PEM path> turns on
#   use_dtls with set_dtls_certificate(<that certificate>) as the trusted one, dtls_verify
#   from --dtls-verify=1|0 (default 1) and, where the build has it (3.4+), dtls_hostname from
#   --dtls-hostname; it prints `DTLS use_dtls=<is_dtls_enabled()> hostname=<yes|no>`.
extends SceneTree

const NETWORK_COMMAND_RAW = 4

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
	main.set_script(load("res://relay_godot3_node.gd"))
	root.add_child(main)
	peer = NetworkedMultiplayerENet.new()
	if args.has("dtls-cert") and not setup_dtls():
		quit(1)
		return
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
	connect("network_peer_disconnected", self, "_on_peer_disconnected")
	connect("connected_to_server", self, "_on_signal", ["connected_to_server"])
	connect("connection_failed", self, "_on_signal", ["connection_failed"])
	connect("server_disconnected", self, "_on_server_disconnected")


func setup_dtls() -> bool:
	var cert = X509Certificate.new()
	if cert.load(args["dtls-cert"]) != OK:
		print("GDWIRE_FAIL dtls cert.load")
		return false
	peer.use_dtls = true
	peer.set_dtls_certificate(cert)
	peer.dtls_verify = args.get("dtls-verify", "1") == "1"
	var has_hostname = peer.has_method("set_dtls_hostname")
	if has_hostname and args.has("dtls-hostname"):
		peer.call("set_dtls_hostname", args["dtls-hostname"])
	print("DTLS use_dtls=", peer.is_dtls_enabled(), " hostname=", "yes" if has_hostname else "no")
	return true


func _on_signal(name) -> void:
	print("SIGNAL ", name)


func _on_peer_connected(id) -> void:
	print("SIGNAL network_peer_connected ", id)
	if id != 1:
		other = id


func _on_peer_disconnected(id) -> void:
	print("SIGNAL network_peer_disconnected ", id)


func _on_packet(id, packet) -> void:
	print("PACKET from=", id, " ", packet.get_string_from_ascii())


func _on_server_disconnected() -> void:
	print("SIGNAL server_disconnected")
	print("GDWIRE_OK")
	quit(0)


func send_all() -> void:
	var main = root.get_node("Main")
	var name = args.get("name", "?")
	main.rpc_id(other, "hello", me, name)
	main.rpc("everyone", me)
	main.rpc_unreliable_id(other, "unreliable", me)
	multiplayer.send_bytes(("bytes %s to %d" % [name, other]).to_ascii(), other)
	var pkt = PoolByteArray([NETWORK_COMMAND_RAW])
	pkt.append_array(("put %s" % name).to_ascii())
	peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_UNRELIABLE_ORDERED
	peer.set_target_peer(other)
	var err = peer.put_packet(pkt)
	peer.transfer_mode = NetworkedMultiplayerPeer.TRANSFER_MODE_RELIABLE
	print("SENT put_packet=", err)


func _idle(_delta):
	if OS.get_ticks_msec() > deadline:
		print("GDWIRE_FAIL timeout")
		quit(1)
		return false
	if not sent and other != 0 and peer.get_connection_status() == NetworkedMultiplayerPeer.CONNECTION_CONNECTED:
		sent = true
		send_all()
	return false
