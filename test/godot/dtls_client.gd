# Godot 3 PacketPeerDTLS client for test/interop/dtls-godot3.test.ts.
# connect_to_peer(udp, validate_certs=true, for_hostname=--hostname, valid_certificate=--cert),
# then for each value: put_var(value), wait for the echo, compare var2str(echo) with var2str(value)
# (ECHO_OK / ECHO_BAD); then sends the text "GDWIRE_DONE", disconnect_from_peer(), GDWIRE_OK.
# With --expect=error it instead waits for STATUS_ERROR and prints GDWIRE_OK on it.
# Prints STATUS <n> on every status change.
# Args (after --): --port=N --cert=path [--hostname=myserver] [--expect=ok|error] [--timeout=20]
extends SceneTree

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

func values() -> Array:
	var big = PoolByteArray()
	for i in range(1200):
		big.append(i % 251)
	return ["hello gdwire", 42, -7.25, Vector2(1.5, -2), [1, "two", 3.0], {"k": "v"}, big]

func run():
	parse_args()
	var cert = X509Certificate.new()
	if cert.load(args["cert"]) != OK:
		print("GDWIRE_FAIL cert.load")
		return 1
	var udp = PacketPeerUDP.new()
	var err = udp.connect_to_host("127.0.0.1", int(args["port"]))
	if err != OK:
		print("GDWIRE_FAIL connect_to_host ", err)
		return 1
	var dtls = PacketPeerDTLS.new()
	err = dtls.connect_to_peer(udp, true, args.get("hostname", "myserver"), cert)
	print("CONNECT err=", err, " status=", dtls.get_status())
	var expect_error = args.get("expect", "ok") == "error"
	var vals = values()
	var i = 0
	var waiting = false
	var status = dtls.get_status()
	var deadline = OS.get_ticks_msec() + int(args.get("timeout", "20")) * 1000
	while OS.get_ticks_msec() < deadline:
		dtls.poll()
		if dtls.get_status() != status:
			status = dtls.get_status()
			print("STATUS ", status)
		if status == PacketPeerDTLS.STATUS_ERROR or status == PacketPeerDTLS.STATUS_ERROR_HOSTNAME_MISMATCH:
			if expect_error:
				print("GDWIRE_OK")
				return 0
			print("GDWIRE_FAIL status ", status)
			return 1
		if status == PacketPeerDTLS.STATUS_CONNECTED:
			if expect_error:
				print("GDWIRE_FAIL connected although an error was expected")
				return 1
			if not waiting:
				if i >= vals.size():
					dtls.put_packet("GDWIRE_DONE".to_utf8())
					dtls.disconnect_from_peer()
					print("GDWIRE_OK")
					return 0
				dtls.put_var(vals[i])
				waiting = true
			while dtls.get_available_packet_count() > 0:
				var v = dtls.get_var()
				if var2str(v) == var2str(vals[i]):
					print("ECHO_OK ", i)
				else:
					print("ECHO_BAD ", i, " ", var2str(v).substr(0, 200))
				i += 1
				waiting = false
		OS.delay_msec(1)
	print("GDWIRE_FAIL timeout")
	return 1
