# Godot 3 UDPServer echo peer for test/interop/godot3-udp.test.ts.
# Listens with UDPServer (the 3.2.3 poll() design), takes every connection, and answers each
# packet with put_var(get_var()). Prints `RECV <n> <type> err=<e> <var2str>` per packet so a
# mismatch on the gdwire side can be told apart from a decode problem here.
# The client is expected to send the values of values3.gd in order (Objects left out): each
# packet is also checked against the next expected value and reported as
# `MATCH <name>`, `DUP <name>` (a resend) or `NOMATCH <name> …` — so what Godot decoded is
# checked, not only that the echo is symmetric. Stops when it receives the String
# "GDWIRE_DONE" (prints GDWIRE_OK) or after --timeout seconds.
# Args (after --): --port=N [--bind=127.0.0.1] [--timeout=20]
extends SceneTree

const DONE = "GDWIRE_DONE"
const V = preload("res://values3.gd")

var args = {}
var expected = []
var next_expected = 0

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

func short(v, limit: int = 300) -> String:
	var s = var2str(v).replace("\n", " ")
	return s if s.length() <= limit else s.substr(0, limit) + "…"

func match_expected(v) -> void:
	if next_expected > 0 and V.deep_equal(v, expected[next_expected - 1][1]):
		print("DUP ", expected[next_expected - 1][0])
	elif next_expected >= expected.size():
		print("NOMATCH <none> got ", short(v))
	elif V.deep_equal(v, expected[next_expected][1]):
		print("MATCH ", expected[next_expected][0])
		next_expected += 1
	else:
		print("NOMATCH ", expected[next_expected][0], " expected ", short(expected[next_expected][1]), " got ", short(v))
		next_expected += 1

# Echoes what `peer` has queued; returns true once DONE arrived.
func echo_all(peer: PacketPeerUDP, counter: Array) -> bool:
	while peer.get_available_packet_count() > 0:
		# get_var() (not bytes2var) so a bad packet is reported, not a script abort.
		var v = peer.get_var()
		var e = peer.get_packet_error()
		counter[0] += 1
		print("RECV %d %d err=%d %s" % [counter[0], typeof(v), e, short(v)])
		if typeof(v) == TYPE_STRING and v == DONE:
			return true
		match_expected(v)
		var pe = peer.put_var(v)
		if pe != OK:
			print("SEND_ERROR ", pe)
	return false

func run():
	parse_args()
	for e in V.values():
		if typeof(e[1]) != TYPE_OBJECT:
			expected.append(e)
	var port = int(args.get("port", "0"))
	var bind = args.get("bind", "127.0.0.1")
	var total_ms = int(args.get("timeout", "20")) * 1000
	var server = UDPServer.new()
	var err = server.listen(port, bind)
	if err != OK:
		print("GDWIRE_FAIL listen(%d, %s) = %d" % [port, bind, err])
		return 1
	print("GDWIRE_LISTENING ", port)
	var peers = []
	var counter = [0]
	var deadline = OS.get_ticks_msec() + total_ms
	while OS.get_ticks_msec() < deadline:
		server.poll()
		while server.is_connection_available():
			var p = server.take_connection()
			print("CONNECTION ", p.get_packet_ip(), " ", p.get_packet_port())
			peers.append(p)
		for p in peers:
			if echo_all(p, counter):
				server.stop()
				print("GDWIRE_SUMMARY packets=", counter[0])
				print("GDWIRE_OK")
				return 0
		OS.delay_msec(1)
	server.stop()
	print("GDWIRE_FAIL timeout after ", counter[0], " packets")
	return 1
