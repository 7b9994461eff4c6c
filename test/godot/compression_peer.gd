# Compression interop peer for test/interop/compression-godot3.test.ts (Godot 3.2.3).
# Reads a case file written by gdwire, runs each case through PoolByteArray.compress()
# or .decompress(), and writes every result to an output file.
#
# Arguments (after --): --in=<case file> --out=<result file>
# Case file, little-endian (File's default byte order):
#   u32 count, then per case:
#   u32 kind  (0 = compress `data` with `mode`; 1 = decompress `data` with `mode` into a
#              buffer of `size` bytes and compare the result with `expected`; 2 = the same
#              decompression, left for the caller to check)
#   u32 mode  (File.COMPRESSION_FASTLZ 0, DEFLATE 1, ZSTD 2, GZIP 3)
#   u32 size  (decompression buffer size; unused for kind 0)
#   u32 len, len bytes: data
#   u32 len, len bytes: expected (empty for kind 0)
# Result file: per case, u32 len + len bytes (the compressed or decompressed bytes).
# Prints "MISMATCH <index> ..." for every decompression that differs from `expected`,
# "CASES <n> CHECKED <m>" and, when everything matched, GDWIRE_OK.
extends SceneTree


func _args() -> Dictionary:
	var out = {}
	var after_dashes = false
	for a in OS.get_cmdline_args():
		if a == "--":
			after_dashes = true
		elif after_dashes and a.begins_with("--") and a.find("=") > 0:
			var eq = a.find("=")
			out[a.substr(2, eq - 2)] = a.substr(eq + 1, a.length() - eq - 1)
	return out


func _run() -> int:
	var args = _args()
	if not args.has("in") or not args.has("out"):
		print("usage: -- --in=<file> --out=<file>")
		return 2
	var inp = File.new()
	if inp.open(args["in"], File.READ) != OK:
		print("cannot open ", args["in"])
		return 2
	var out = File.new()
	if out.open(args["out"], File.WRITE) != OK:
		print("cannot open ", args["out"])
		return 2
	var count = inp.get_32()
	var checked = 0
	var mismatches = 0
	for i in range(count):
		var kind = inp.get_32()
		var mode = inp.get_32()
		var size = inp.get_32()
		var data = inp.get_buffer(inp.get_32())
		var expected = inp.get_buffer(inp.get_32())
		var result = PoolByteArray()
		if kind == 0:
			result = data.compress(mode)
		elif kind == 2:
			result = data.decompress(size, mode)
		else:
			result = data.decompress(size, mode)
			checked += 1
			if result.size() != expected.size() or result.hex_encode() != expected.hex_encode():
				mismatches += 1
				print("MISMATCH ", i, " mode ", mode, " size ", size, " got ", result.size(), " bytes, expected ", expected.size())
		out.store_32(result.size())
		out.store_buffer(result)
	inp.close()
	out.close()
	print("CASES ", count, " CHECKED ", checked)
	if mismatches > 0:
		return 1
	print("GDWIRE_OK")
	return 0


func _init():
	var rc = _run()
	quit(rc if typeof(rc) == TYPE_INT else 2)
