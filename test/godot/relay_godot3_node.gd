# The node /root/Main of test/godot/relay_godot3_client.gd: `remote` functions called by the
# other Godot 3.2.3 client through the gdwire relay.
extends Node


remote func hello(id, name) -> void:
	print("RPC hello id=", id, " name=", name, " sender=", get_tree().get_rpc_sender_id())


remote func everyone(id) -> void:
	print("RPC everyone id=", id, " sender=", get_tree().get_rpc_sender_id())


remote func unreliable(id) -> void:
	print("RPC unreliable id=", id, " sender=", get_tree().get_rpc_sender_id())
