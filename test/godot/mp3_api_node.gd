# The node /root/Main of test/godot/mp3_api.gd: a remote method for Godot 3.2's RPCs.
extends Node


remote func hello(x) -> void:
	print("RPC hello ", x, " sender=", get_tree().get_rpc_sender_id())
