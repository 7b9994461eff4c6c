# Godot 3 DTLSServer echo peer for test/interop/dtls-godot3.test.ts.
# Key and certificate: loaded from --key/--cert files (made by gdwire), or generated here with
# Crypto (--bits, --cn) and saved to --key_out/--cert_out for gdwire to load.
# Runs Godot's documented accept loop (the first take_connection per client ends in
# STATUS_ERROR: cookie exchange), echoes every packet with put_packet(get_packet()), and stops
# with GDWIRE_OK when a connected client sends the text "GDWIRE_DONE".
# Prints: GDWIRE_READY <port> once listening; TAKE <status> per take_connection;
# CONNECTED per connected peer; PEER_STATUS <status> when a kept peer leaves HANDSHAKING badly.
# Args (after --): --port=N [--key=path --cert=path | --bits=2048 --cn=… --key_out=… --cert_out=…]
#                  [--timeout=20]
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

func load_or_make():
	var key = CryptoKey.new()
	var cert = X509Certificate.new()
	if args.has("key"):
		if key.load(args["key"]) != OK:
			print("GDWIRE_FAIL key.load")
			return null
		if cert.load(args["cert"]) != OK:
			print("GDWIRE_FAIL cert.load")
			return null
		return [key, cert]
	var crypto = Crypto.new()
	key = crypto.generate_rsa(int(args.get("bits", "2048")))
	cert = crypto.generate_self_signed_certificate(key, args.get("cn", "CN=myserver,O=myorganisation,C=IT"))
	if key.save(args["key_out"]) != OK or cert.save(args["cert_out"]) != OK:
		print("GDWIRE_FAIL save")
		return null
	return [key, cert]

func run():
	parse_args()
	var kc = load_or_make()
	if kc == null:
		return 1
	var udp = UDPServer.new()
	var err = udp.listen(int(args.get("port", "0")), "127.0.0.1")
	if err != OK:
		print("GDWIRE_FAIL listen ", err)
		return 1
	var dtls = DTLSServer.new()
	err = dtls.setup(kc[0], kc[1])
	if err != OK:
		print("GDWIRE_FAIL setup ", err)
		return 1
	print("GDWIRE_READY ", args.get("port", "0"))
	var peers = []
	var connected = {}
	var deadline = OS.get_ticks_msec() + int(args.get("timeout", "20")) * 1000
	while OS.get_ticks_msec() < deadline:
		udp.poll()
		while udp.is_connection_available():
			var p = dtls.take_connection(udp.take_connection())
			print("TAKE ", p.get_status())
			if p.get_status() == PacketPeerDTLS.STATUS_HANDSHAKING:
				peers.append(p)
		for p in peers:
			var before = p.get_status()
			p.poll()
			var st = p.get_status()
			if st == PacketPeerDTLS.STATUS_CONNECTED and not connected.has(p):
				connected[p] = true
				print("CONNECTED")
			elif st != before and st != PacketPeerDTLS.STATUS_CONNECTED:
				print("PEER_STATUS ", st)
			if st != PacketPeerDTLS.STATUS_CONNECTED:
				continue
			while p.get_available_packet_count() > 0:
				var pkt = p.get_packet()
				if pkt.get_string_from_utf8() == "GDWIRE_DONE":
					p.disconnect_from_peer()
					print("GDWIRE_OK")
					return 0
				var e = p.put_packet(pkt)
				if e != OK:
					print("SEND_ERROR ", e)
		OS.delay_msec(1)
	print("GDWIRE_FAIL timeout")
	return 1
