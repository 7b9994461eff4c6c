# A Godot 3.2.3 relay server for bench/relay-fanout.bench.ts: NetworkedMultiplayerENet with
# server relay (Godot's default), polled once per frame as a game's SceneTree would, packets
# addressed to the server drained and discarded. The main loop paces its frames --sleep_usec
# apart, start to start (OS.low_processor_usage_mode), 1000 µs by default: a 1 kHz loop.
# Prints READY <port>, then FRAMES <frames so far> <OS.get_ticks_usec()> once a second (the
# bench reads the frame rate from them); quits after --seconds (default 600) or when killed.
# Args (after --): --port=N [--max_clients=64] [--sleep_usec=1000] [--seconds=600]
extends SceneTree

var args = {}
var peer = null
var deadline = 0
var frames = 0
var frames_printed_at = 0


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
	OS.low_processor_usage_mode_sleep_usec = int(args.get("sleep_usec", "1000"))
	deadline = OS.get_ticks_msec() + int(args.get("seconds", "600")) * 1000
	peer = NetworkedMultiplayerENet.new()
	peer.set_bind_ip("127.0.0.1")
	var err = peer.create_server(int(args.get("port", "0")), int(args.get("max_clients", "64")))
	if err != OK:
		print("GDWIRE_FAIL create_server = ", err)
		quit(1)
		return
	print("READY ", args.get("port", "0"))


func _idle(_delta):
	peer.poll()
	while peer.get_available_packet_count() > 0:
		peer.get_packet()
	frames += 1
	var now = OS.get_ticks_usec()
	if now - frames_printed_at >= 1000000:
		frames_printed_at = now
		print("FRAMES ", frames, " ", now)
	if OS.get_ticks_msec() > deadline:
		print("GDWIRE_OK")
		quit(0)
	return false
