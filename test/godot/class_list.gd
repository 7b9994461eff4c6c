# Prints every class that ClassDB can instance in this Godot build, one per line between
# GDWIRE_CLASSES_BEGIN and GDWIRE_CLASSES_END, then GDWIRE_OK. Used by
# scripts/gen-godot3-classes.sh to write src/core/variant/godot3-classes.ts.
extends SceneTree

func _init():
	var rc = run()
	quit(rc if typeof(rc) == TYPE_INT else 2)

func run():
	var names = []
	for c in ClassDB.get_class_list():
		if ClassDB.can_instance(c):
			names.append(String(c))
	names.sort()
	print("GDWIRE_VERSION ", Engine.get_version_info()["string"])
	print("GDWIRE_CLASSES_BEGIN")
	for n in names:
		print(n)
	print("GDWIRE_CLASSES_END ", names.size())
	print("GDWIRE_OK")
	return 0
