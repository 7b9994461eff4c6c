# Godot 3 PacketPeerUDP client for test/interop/godot3-udp.test.ts.
# Sends every value of values3.gd with put_var() to a gdwire UDPServer that echoes it
# re-encoded (putVar(getVar())), then checks the echo: decoded, it must deep-equal the value
# sent, and its raw bytes must equal Godot's own encoding (NodePath padding zeroed).
# Prints `VALUE <name> OK|FAIL …` per value, `GDWIRE_SUMMARY …`, and GDWIRE_OK when all pass.
# Args (after --): --port=N [--host=127.0.0.1] [--timeout=20]
extends SceneTree

const V = preload("res://values3.gd")

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

# bytes2var aborts the calling function on bad input: keep it in its own function, so the
# caller sees null instead of a one-element array.
func decode(b: PoolByteArray):
	return [bytes2var(b)]

func wait_packet(peer: PacketPeerUDP, ms: int) -> bool:
	var deadline = OS.get_ticks_msec() + ms
	while OS.get_ticks_msec() < deadline:
		if peer.get_available_packet_count() > 0:
			return true
		OS.delay_msec(1)
	return false

func check(name: String, value, echo: PoolByteArray) -> String:
	var expected = V.canon(value)
	var problems = PoolStringArray()
	if echo != expected:
		problems.append("bytes differ: sent " + V.hex(expected) + " got " + V.hex(echo))
	var got = decode(echo)
	if typeof(got) != TYPE_ARRAY:
		problems.append("echo does not decode")
	elif not V.deep_equal(value, got[0]):
		problems.append("value differs: sent " + V.short(value) + " got " + V.short(got[0]))
	return problems.join("; ")

func run():
	parse_args()
	var port = int(args.get("port", "0"))
	var host = args.get("host", "127.0.0.1")
	var total_ms = int(args.get("timeout", "20")) * 1000
	if port <= 0:
		print("GDWIRE_FAIL missing --port")
		return 1
	var peer = PacketPeerUDP.new()
	var err = peer.connect_to_host(host, port)
	if err != OK:
		print("GDWIRE_FAIL connect_to_host(%s, %d) = %d" % [host, port, err])
		return 1
	var started = OS.get_ticks_msec()
	var values = V.values()
	var failed = 0
	var prev_bytes = PoolByteArray()
	for entry in values:
		var name = entry[0]
		var value = entry[1]
		# Self-check of canon(): it must equal var2bytes() wherever no NodePath is involved.
		if not V.contains_node_path(value) and V.canon(value) != var2bytes(value):
			print("VALUE ", name, " FAIL canon() disagrees with var2bytes(): ", V.hex(var2bytes(value)))
			failed += 1
			continue
		var echo = PoolByteArray()
		var got_echo = false
		for attempt in range(3):
			err = peer.put_var(value)
			if err != OK:
				break
			while wait_packet(peer, 1500):
				var pkt = peer.get_packet()
				# A late echo of the previous value (after a resend) is skipped.
				if pkt == prev_bytes and pkt != V.canon(value):
					continue
				echo = pkt
				got_echo = true
				break
			if got_echo or OS.get_ticks_msec() - started > total_ms:
				break
		var problem = ""
		if err != OK:
			problem = "put_var returned %d" % err
		elif not got_echo:
			problem = "no echo"
		else:
			problem = check(name, value, echo)
		if problem == "":
			print("VALUE ", name, " OK")
		else:
			failed += 1
			print("VALUE ", name, " FAIL ", problem)
		prev_bytes = V.canon(value)
		if OS.get_ticks_msec() - started > total_ms:
			print("GDWIRE_FAIL timeout after ", name)
			return 1
	peer.close()
	print("GDWIRE_SUMMARY values=%d failed=%d" % [values.size(), failed])
	if failed > 0:
		return 1
	print("GDWIRE_OK")
	return 0
