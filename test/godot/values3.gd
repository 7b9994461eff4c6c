# Shared helpers for the Godot 3 interop peers (preloaded by udp_client.gd):
# - values(): a wide set of [name, value] pairs covering every Godot 3.x Variant type;
# - deep_equal(): structural equality that is exact where Godot's `==` is not
#   (NaN, -0.0, Dictionaries, which 3.x `==` compares by reference);
# - canon(): var2bytes() with NodePath padding zeroed. Godot 3.2.3 leaves those pad bytes
#   uninitialised, while gdwire writes zeros (godot-wire.md §9), so bytes are compared
#   against this canonical form. For values without a NodePath it is exactly var2bytes().
# Values that GDScript literals cannot express (-0.0, denormals, INT64_MIN) are computed at
# run time (godot3/README.md, "Literal parsing").
extends Reference

static func values() -> Array:
	var neg_zero = 0.0
	neg_zero = -neg_zero
	var int64_min = -9223372036854775807
	int64_min -= 1
	var long_string = ""
	for i in range(300):
		long_string += "é" if i % 7 == 0 else char(97 + i % 26)
	var big_bytes = PoolByteArray()
	for i in range(3000):
		big_bytes.append((i * 7) % 256)
	var huge_bytes = PoolByteArray()
	huge_bytes.resize(60000)
	for i in range(60000):
		huge_bytes[i] = (i * 13 + 5) % 251
	var many_ints = []
	for i in range(400):
		many_ints.append(i * 1000003 - 200000000)
	var lone_surrogates = "a" + char(0xD800) + "b" + char(0xDFFF)
	var long_lone = ""
	for i in range(80):
		long_lone += "x"
	long_lone += char(0xDC00) + "end" + char(0xFFFF) + char(0x10FFFF)
	var deep = ["bottom"]
	for i in range(16):
		deep = [i, deep]
	var obj = Reference.new()
	var v = [
		["nil", null],
		["bool_false", false],
		["bool_true", true],
		["int_0", 0],
		["int_1", 1],
		["int_-1", -1],
		["int_i32_max", 2147483647],
		["int_i32_min", -2147483648],
		["int64_2^31", 2147483648],
		["int64_-2^31-1", -2147483649],
		["int64_2^53+1", 9007199254740993],
		["int64_max", 9223372036854775807],
		["int64_min", int64_min],
		["real_0", 0.0],
		["real_neg0", neg_zero],
		["real_1", 1.0],
		["real_-3", -3.0],
		["real_0.5", 0.5],
		["real_0.1_f64", 0.1],
		["real_1div3_f64", 1.0 / 3.0],
		["real_pi_f64", PI],
		["real_1e10_f32exact", 1e10],
		["real_2^53", 9007199254740992.0],
		["real_1e20_f64", 1e20],
		["real_1e300_f64", 1e300],
		["real_1e-10_f64", 1e-10],
		["real_16777217_f64", 16777217.0],
		["real_f32_denormal", pow(2.0, -149)],
		["real_f64_denormal", pow(2.0, -1074)],
		["real_inf", INF],
		["real_-inf", -INF],
		["real_nan", NAN],
		["string_empty", ""],
		["string_a", "a"],
		["string_abc", "abc"],
		["string_abcd", "abcd"],
		["string_abcde", "abcde"],
		["string_unicode", "héllo wörld 日本語"],
		["string_emoji", "😀 ok 🎮"],
		["string_controls", "tab\there\nnewline \"quoted\" \\back"],
		["string_long", long_string],
		# Godot 3 holds lone surrogates and writes them as 3-byte sequences (ED A0 80…).
		["string_lone_surrogates", lone_surrogates],
		["string_long_lone_surrogate", long_lone],
		["vector2", Vector2(1.5, -2.25)],
		["vector2_f32round", Vector2(0.1, 1e20)],
		["vector2_neg0", Vector2(neg_zero, 0.0)],
		["rect2", Rect2(1, 2, 3.5, -4)],
		["vector3", Vector3(1, -2, 0.3)],
		["vector3_inf", Vector3(INF, -INF, 0)],
		["transform2d", Transform2D(Vector2(1, 2), Vector2(3, 4), Vector2(5, 6))],
		["plane", Plane(0, 1, 0, -5.5)],
		["quat", Quat(0.1, 0.2, 0.3, 0.9)],
		["aabb", AABB(Vector3(1, 2, 3), Vector3(4, 5, 6))],
		["basis", Basis(Vector3(1, 2, 3), Vector3(4, 5, 6), Vector3(7, 8, 9))],
		["transform", Transform(Basis(Vector3(1, 2, 3), Vector3(4, 5, 6), Vector3(7, 8, 9)), Vector3(10, 11, 12))],
		["color", Color(0.1, 0.2, 0.3, 0.4)],
		["color_opaque", Color(1, 0.5, 0)],
		["nodepath_empty", NodePath("")],
		["nodepath_rel", NodePath("Node")],
		["nodepath_abs", NodePath("/root/Main")],
		["nodepath_rel_subs", NodePath("../Sibling:position:x")],
		["nodepath_abs_sub", NodePath("/root/Main:prop")],
		["nodepath_only_sub", NodePath(":abcde")],
		["nodepath_unicode", NodePath("日/é:x")],
		["rid_empty", RID()],
		["object_as_id", obj],
		["dict_empty", {}],
		["dict_simple", {"a": 1}],
		["dict_mixed_keys", {true: [1], 1: "one", "two": 2.5, Vector2(1, 2): null, NodePath("a/b"): "np"}],
		["dict_int_and_float_key", {1: "int", 1.0: "float", "1": "string"}],
		["dict_nested", {"k": {"inner": [1, "x", null]}, "e": {}, "d": {"deeper": {"x": PoolIntArray([1, 2])}}}],
		["array_empty", []],
		["array_one", [1]],
		["array_mixed", [null, true, 2, 3.5, "four", Vector2(5, 6), Color(1, 0, 0)]],
		["array_nested", [[], [1, [2, [3]]], {"a": []}]],
		["array_deep", deep],
		["array_with_nodepath", [NodePath("x:y"), "z", NodePath("/abc")]],
		["array_many_ints", many_ints],
		["pool_byte_empty", PoolByteArray()],
		["pool_byte_5", PoolByteArray([0, 255, 128, 127, 1])],
		["pool_byte_3000", big_bytes],
		["pool_byte_60000_near_udp_max", huge_bytes],
		["pool_int_empty", PoolIntArray()],
		["pool_int", PoolIntArray([0, 1, -1, 2147483647, -2147483648])],
		["pool_real_empty", PoolRealArray()],
		["pool_real", PoolRealArray([0, 1.5, -2.25, 0.1, INF, NAN, neg_zero])],
		["pool_string_empty", PoolStringArray()],
		["pool_string", PoolStringArray(["", "a", "abc", "abcd", "日本", "😀"])],
		["pool_vector2_empty", PoolVector2Array()],
		["pool_vector2", PoolVector2Array([Vector2(1, 2), Vector2(-0.5, 0.25), Vector2(0.1, 3)])],
		["pool_vector3_empty", PoolVector3Array()],
		["pool_vector3", PoolVector3Array([Vector3(1, 2, 3), Vector3(-1, -2, -3)])],
		["pool_color_empty", PoolColorArray()],
		["pool_color", PoolColorArray([Color(1, 0, 0, 1), Color(0, 0.5, 1, 0.25)])],
		["array_of_pools", [PoolByteArray([1, 2, 3]), PoolIntArray([7]), PoolRealArray([0.5]),
				PoolStringArray(["s"]), PoolVector2Array([Vector2(1, 1)]),
				PoolVector3Array([Vector3(1, 1, 1)]), PoolColorArray([Color(0, 0, 0)])]],
	]
	return v

static func _real_same(a: float, b: float) -> bool:
	if is_nan(a) or is_nan(b):
		return is_nan(a) and is_nan(b)
	# var2bytes tells -0.0 from +0.0 and picks the same width for the same value.
	return a == b and var2bytes(a) == var2bytes(b)

static func deep_equal(a, b) -> bool:
	if typeof(a) != typeof(b):
		return false
	var t = typeof(a)
	if t == TYPE_ARRAY:
		if a.size() != b.size():
			return false
		for i in range(a.size()):
			if not deep_equal(a[i], b[i]):
				return false
		return true
	if t == TYPE_DICTIONARY:
		if a.size() != b.size():
			return false
		var ka = a.keys()
		var kb = b.keys()
		for i in range(ka.size()):
			if not deep_equal(ka[i], kb[i]) or not deep_equal(a[ka[i]], b[kb[i]]):
				return false
		return true
	if t == TYPE_REAL:
		return _real_same(a, b)
	if t == TYPE_NODE_PATH:
		return a == b and str(a) == str(b) and a.is_absolute() == b.is_absolute()
	if t == TYPE_OBJECT:
		if a == null or b == null:
			return a == b
		return _object_id(a) == _object_id(b)
	if t == TYPE_REAL_ARRAY:
		# `==` would call NaN unequal to itself; the bytes are exact.
		return var2bytes(a) == var2bytes(b)
	return a == b and var2bytes(a) == var2bytes(b)

# An EncodedObjectAsID stands for the object whose id it carries.
static func _object_id(o) -> int:
	if o is EncodedObjectAsID:
		return o.get_object_id()
	return o.get_instance_id()

static func _put_string(buf: StreamPeerBuffer, s: String) -> void:
	var u = s.to_utf8()
	buf.put_u32(u.size())
	buf.put_data(u)
	for i in range((4 - u.size() % 4) % 4):
		buf.put_u8(0)

static func canon(v) -> PoolByteArray:
	var t = typeof(v)
	if t != TYPE_NODE_PATH and t != TYPE_ARRAY and t != TYPE_DICTIONARY:
		return var2bytes(v)
	var buf = StreamPeerBuffer.new()
	if t == TYPE_NODE_PATH:
		buf.put_u32(TYPE_NODE_PATH)
		buf.put_u32(v.get_name_count() | 0x80000000)
		buf.put_u32(v.get_subname_count())
		buf.put_u32(1 if v.is_absolute() else 0)
		for i in range(v.get_name_count()):
			_put_string(buf, v.get_name(i))
		for i in range(v.get_subname_count()):
			_put_string(buf, v.get_subname(i))
	elif t == TYPE_ARRAY:
		buf.put_u32(TYPE_ARRAY)
		buf.put_u32(v.size())
		for e in v:
			buf.put_data(canon(e))
	else:
		buf.put_u32(TYPE_DICTIONARY)
		buf.put_u32(v.size())
		for k in v.keys():
			buf.put_data(canon(k))
			buf.put_data(canon(v[k]))
	return buf.data_array

static func contains_node_path(v) -> bool:
	var t = typeof(v)
	if t == TYPE_NODE_PATH:
		return true
	if t == TYPE_ARRAY:
		for e in v:
			if contains_node_path(e):
				return true
	if t == TYPE_DICTIONARY:
		for k in v.keys():
			if contains_node_path(k) or contains_node_path(v[k]):
				return true
	return false

static func hex(b: PoolByteArray) -> String:
	var s = PoolStringArray()
	for x in b:
		s.append("%02x" % x)
	return s.join("")

static func short(v, limit: int = 200) -> String:
	var s = var2str(v).replace("\n", " ")
	return s if s.length() <= limit else s.substr(0, limit) + "…"
