#!/usr/bin/python3
"""Writes the tiny ONNX models the tests use (run with Debian's python3-onnx; outputs are committed).

tiny_clip.onnx: a clip model, input "clip" [N,3,4,8,8] (NCTHW) -> "logits" [N,3]: the mean of each
channel over time and space, so a test can predict its output exactly from the pixels it feeds.
"""
import onnx
from onnx import TensorProto, helper

clip = helper.make_tensor_value_info("clip", TensorProto.FLOAT, ["N", 3, 4, 8, 8])
logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])
nodes = [
    helper.make_node("GlobalAveragePool", ["clip"], ["pooled"]),
    helper.make_node("Flatten", ["pooled"], ["logits"], axis=1),
]
graph = helper.make_graph(nodes, "tiny_clip", [clip], [logits])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="streamanalytics-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "tiny_clip.onnx")
