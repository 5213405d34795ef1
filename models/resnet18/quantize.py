#!/usr/bin/python3
"""Writes the INT8 (static QDQ) variant of the shipped ResNet-18, calibrated on normal footage.

Run by models/resnet18/quantize.sh (one command); see docs/models.md, "INT8 backbone".

  quantize.py --model ResNet18.onnx --calibrate V1.mp4 ... --hold-out V2.mp4 ... --out ResNet18.int8.onnx --report quantization.json

Debian has python3-onnx and python3-torch but not ONNX Runtime's Python quantizer, so the pass is here:
1. Batch normalisation is folded into the convolution before it (the graph is CNTK's opset-8 export:
   Conv, BatchNormalization, Relu, Add, MaxPool, AveragePool).
2. The folded network runs in PyTorch (a direct interpreter of those six operators) over frames of the
   calibration videos, preprocessed as the product does (224x224, BGR, mean subtracted), to record the
   range of every activation the quantized graph will carry.
3. The graph is rewritten in QDQ form, opset 13: weights int8, symmetric, one scale per output channel;
   biases int32 at scale input x weight; activations uint8, one scale per tensor. A Relu that is the only
   consumer of a Conv or an Add is dropped: quantizing its producer's output to [0, max] with zero
   point 0 clamps exactly as the Relu did. MaxPool keeps its input's scale. The final AveragePool stays in
   float, so the 512-d embedding and the 7x7x512 feature map (`ReLU393_Output_0`) keep their names.
   The batch dimension is symbolic.
The range method (min/max or a percentile of each tensor) is chosen on the hold-out videos, never on the
footage the parity figures are reported on; the choice and its figures go to the report.
Everything is deterministic: the same inputs give the same bytes.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

SIZE = 224
MEAN_BGR = np.array([103.06, 115.90, 123.15], dtype=np.float32)  # models/resnet18/model.json
METHODS = ["minmax", "p99.999", "p99.99", "p99.9"]


def decode(path, every):
    """Every `every`-th frame of a video, resized as FramePreprocessor does (no aspect kept), as NCHW BGR - mean."""
    cmd = ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-an",
           "-vf", f"select=not(mod(n\\,{every})),scale={SIZE}:{SIZE}:flags=bilinear",
           "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, SIZE, SIZE, 3).astype(np.float32)
    return np.ascontiguousarray((frames - MEAN_BGR).transpose(0, 3, 1, 2))


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def fold_batch_norm(graph):
    """Conv followed by BatchNormalization -> one Conv with a bias. Returns (nodes, float initializers)."""
    init = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in graph.initializer}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    nodes, dropped = [], set()
    for n in graph.node:
        if id(n) in dropped:
            continue
        if n.op_type == "Conv":
            follow = consumers.get(n.output[0], [])
            if len(follow) == 1 and follow[0].op_type == "BatchNormalization":
                bn = follow[0]
                gamma, beta, mean, var = (init[x] for x in bn.input[1:5])
                eps = attrs(bn).get("epsilon", 1e-5)
                w = init[n.input[1]]
                b = init[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
                factor = gamma / np.sqrt(var + eps)
                init[n.input[1] + "_folded"] = (w * factor[:, None, None, None]).astype(np.float32)
                init[n.input[1] + "_bias"] = ((b - mean) * factor + beta).astype(np.float32)
                conv = helper.make_node("Conv", [n.input[0], n.input[1] + "_folded", n.input[1] + "_bias"], [bn.output[0]],
                                        name=n.name or n.output[0], **{k: v for k, v in attrs(n).items() if k != "auto_pad"})
                nodes.append(conv)
                dropped.add(id(bn))
                continue
        if n.op_type == "BatchNormalization":
            sys.exit(f"BatchNormalization {n.name} does not follow a Conv: this pass does not handle it")
        nodes.append(n)
    used = {i for n in nodes for i in n.input}
    return nodes, {k: v for k, v in init.items() if k in used}


def pad4(x, pads, value):
    # ONNX pads: [top, left, bottom, right]; F.pad: (left, right, top, bottom)
    top, left, bottom, right = pads
    return F.pad(x, (left, right, top, bottom), value=value) if any(pads) else x


def apply(n, values, weights):
    """One node of the folded graph in PyTorch; `weights` maps each Conv's weight and bias names to tensors."""
    a = attrs(n)
    if n.op_type == "Conv":
        xin = pad4(values[n.input[0]], a.get("pads", [0, 0, 0, 0]), 0.0)
        return F.conv2d(xin, weights[n.input[1]], weights[n.input[2]], stride=a["strides"], dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
    if n.op_type == "Relu":
        return torch.relu(values[n.input[0]])
    if n.op_type == "Add":
        return values[n.input[0]] + values[n.input[1]]
    if n.op_type == "MaxPool":
        xin = pad4(values[n.input[0]], a.get("pads", [0, 0, 0, 0]), float("-inf"))
        return F.max_pool2d(xin, a["kernel_shape"], a["strides"])
    if n.op_type == "AveragePool":
        if any(a.get("pads", [0, 0, 0, 0])):
            sys.exit("AveragePool with padding: this pass does not handle it")
        return F.avg_pool2d(values[n.input[0]], a["kernel_shape"], a["strides"])
    sys.exit(f"operator {n.op_type} ({n.name}) is not handled by this pass")


def run_float(nodes, init, x, keep):
    """Interprets the folded graph in PyTorch; returns the tensors named in `keep`."""
    values = {nodes[0].input[0]: torch.from_numpy(x)}
    weights = {k: torch.from_numpy(v) for k, v in init.items()}
    out = {}
    for n in nodes:
        y = apply(n, values, weights)
        values[n.output[0]] = y
        if n.output[0] in keep:
            out[n.output[0]] = y
    return out


def plan(nodes, graph_input):
    """Which tensors carry uint8 and how: {tensor: kind}, kind 'relu' (>= 0), 'signed', or 'same:<tensor>' (MaxPool)."""
    consumers = {}
    for n in nodes:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    fused_relu = {}  # relu node output -> producer node output
    quantized = {graph_input: "signed"}
    for n in nodes:
        if n.op_type in ("Conv", "Add"):
            follow = consumers.get(n.output[0], [])
            if len(follow) == 1 and follow[0].op_type == "Relu":
                fused_relu[follow[0].output[0]] = n.output[0]
                quantized[follow[0].output[0]] = "relu"
            else:
                quantized[n.output[0]] = "signed"
        elif n.op_type == "MaxPool":
            quantized[n.output[0]] = "same:" + n.input[0]
    return quantized, fused_relu


class RangeRecorder:
    """Per tensor, the min/max and a fine histogram of |values| over all calibration frames."""
    BINS = 8192

    def __init__(self, names):
        self.lo = {n: np.inf for n in names}
        self.hi = {n: -np.inf for n in names}
        self.batches = {n: [] for n in names}

    def add(self, name, t):
        v = t.detach().numpy().ravel()
        self.lo[name] = min(self.lo[name], float(v.min()))
        self.hi[name] = max(self.hi[name], float(v.max()))
        # Percentiles over a subsample of each batch keep memory bounded; the sample is fixed (seeded).
        rng = np.random.default_rng(len(self.batches[name]))
        sample = v if v.size <= 200_000 else v[rng.choice(v.size, 200_000, replace=False)]
        self.batches[name].append(np.sort(sample))

    def range(self, name, method):
        if method == "minmax":
            return self.lo[name], self.hi[name]
        q = float(method[1:])
        allv = np.concatenate(self.batches[name])
        return float(np.percentile(allv, 100 - q)), float(np.percentile(allv, q))


def qparams(lo, hi, kind):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if kind == "relu":
        lo = 0.0
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zero)


def fake_quant(t, scale, zero):
    return (torch.clamp(torch.round(t / float(scale)) + int(zero), 0, 255) - int(zero)) * float(scale)


def quantize_weights(w):
    """Symmetric int8 per output channel."""
    amax = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale[:, None, None, None]), -127, 127).astype(np.int8)
    return q, scale


def run_simulated(nodes, init, x, params, fused_relu, graph_input, keep):
    """The quantized network's arithmetic, simulated in float: what ONNX Runtime should compute (to rounding)."""
    weights = {k: torch.from_numpy(v) for k, v in init.items()}
    for n in nodes:
        if n.op_type == "Conv":
            q, s = quantize_weights(init[n.input[1]])
            weights[n.input[1]] = torch.from_numpy(q.astype(np.float32) * s[:, None, None, None])
    s, z = params[graph_input]
    values = {graph_input: fake_quant(torch.from_numpy(x), s, z)}
    producers_of_fused = {v: k for k, v in fused_relu.items()}
    out = {}
    for n in nodes:
        if n.op_type == "Relu" and n.output[0] in fused_relu:
            values[n.output[0]] = values[fused_relu[n.output[0]]]
            continue
        y = apply(n, values, weights)
        name = producers_of_fused.get(n.output[0], n.output[0])
        if name in params:
            y = fake_quant(y, *params[name])
        values[n.output[0]] = y
        if n.output[0] != name:
            values[name] = y
        if name in keep:
            out[name] = y
        elif n.output[0] in keep:
            out[n.output[0]] = y
    return out


def cosine(a, b):
    a = a.reshape(a.shape[0], -1).double()
    b = b.reshape(b.shape[0], -1).double()
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)


def build_qdq(model, nodes, init, params, fused_relu, graph_input, embedding, feature_map):
    out_nodes, inits = [], []
    quantized_names = set()

    def add_init(name, array, dtype=None):
        inits.append(numpy_helper.from_array(array if dtype is None else array.astype(dtype), name))

    def qdq(tensor_float, tensor_name):
        """tensor_float (float) -> Q -> DQ -> tensor_name (float, what consumers read)."""
        s, z = params[tensor_name]
        if tensor_name + "_scale" not in quantized_names:
            add_init(tensor_name + "_scale", np.array(s, dtype=np.float32))
            add_init(tensor_name + "_zero", np.array(z, dtype=np.uint8))
            quantized_names.add(tensor_name + "_scale")
        out_nodes.append(helper.make_node("QuantizeLinear", [tensor_float, tensor_name + "_scale", tensor_name + "_zero"], [tensor_name + "_q"], name=tensor_name + "_Q"))
        out_nodes.append(helper.make_node("DequantizeLinear", [tensor_name + "_q", tensor_name + "_scale", tensor_name + "_zero"], [tensor_name], name=tensor_name + "_DQ"))

    # The graph input, quantized once for the first convolution.
    s, z = params[graph_input]
    add_init(graph_input + "_scale", np.array(s, dtype=np.float32))
    add_init(graph_input + "_zero", np.array(z, dtype=np.uint8))
    out_nodes.append(helper.make_node("QuantizeLinear", [graph_input, graph_input + "_scale", graph_input + "_zero"], [graph_input + "_q"], name="input_Q"))
    out_nodes.append(helper.make_node("DequantizeLinear", [graph_input + "_q", graph_input + "_scale", graph_input + "_zero"], [graph_input + "_dq"], name="input_DQ"))
    renamed = {graph_input: graph_input + "_dq"}
    producers_of_fused = {v: k for k, v in fused_relu.items()}

    for n in nodes:
        if n.op_type == "Relu" and n.output[0] in fused_relu:
            continue
        inputs = [renamed.get(i, i) for i in n.input]
        target = producers_of_fused.get(n.output[0], n.output[0])  # the tensor consumers read
        a = attrs(n)
        if n.op_type == "Conv":
            w = init[n.input[1]]
            q, ws = quantize_weights(w)
            in_scale = params[n.input[0]][0]
            wname, bname = n.input[1], n.input[2]
            add_init(wname + "_q", q)
            add_init(wname + "_scale", ws)
            add_init(wname + "_zero", np.zeros(w.shape[0], np.int8))
            bscale = (ws * in_scale).astype(np.float32)
            add_init(bname + "_q", np.round(init[bname] / bscale).astype(np.int32))
            add_init(bname + "_scale", bscale)
            add_init(bname + "_zero", np.zeros(w.shape[0], np.int32))
            out_nodes.append(helper.make_node("DequantizeLinear", [wname + "_q", wname + "_scale", wname + "_zero"], [wname + "_dq"], name=wname + "_DQ", axis=0))
            out_nodes.append(helper.make_node("DequantizeLinear", [bname + "_q", bname + "_scale", bname + "_zero"], [bname + "_dq"], name=bname + "_DQ", axis=0))
            out_nodes.append(helper.make_node("Conv", [inputs[0], wname + "_dq", bname + "_dq"], [target + "_f"], name=n.name or target, **a))
            qdq(target + "_f", target)
        elif n.op_type in ("Add", "MaxPool"):
            out_nodes.append(helper.make_node(n.op_type, inputs, [target + "_f"], name=n.name or target, **a))
            qdq(target + "_f", target)
        elif n.op_type in ("AveragePool", "Relu"):
            out_nodes.append(helper.make_node(n.op_type, inputs, list(n.output), name=n.name or n.output[0], **a))
        else:
            sys.exit(f"operator {n.op_type} is not handled")

    def dims(vi):
        return [d.dim_value for d in vi.type.tensor_type.shape.dim]

    inp = model.graph.input[0]
    out = model.graph.output[0]
    graph = helper.make_graph(
        out_nodes, model.graph.name + "-int8",
        [helper.make_tensor_value_info(inp.name, TensorProto.FLOAT, ["N"] + dims(inp)[1:])],
        [helper.make_tensor_value_info(out.name, TensorProto.FLOAT, ["N"] + dims(out)[1:])],
        initializer=inits,
        # Recorded so that the product's load-time edit can expose the feature map as an output, as it does
        # for the FP32 file.
        value_info=[helper.make_tensor_value_info(feature_map, TensorProto.FLOAT, ["N", 512, 7, 7])])
    qmodel = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="streamanalytics-quantize", producer_version="1")
    qmodel.ir_version = 7
    onnx.checker.check_model(qmodel)
    return qmodel


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--calibrate", nargs="+", required=True, help="normal footage whose activations set the ranges")
    p.add_argument("--hold-out", nargs="+", required=True, help="normal footage, not calibrated on, that chooses the range method")
    p.add_argument("--every", type=int, default=6, help="take every N-th frame of each video")
    p.add_argument("--out", required=True)
    p.add_argument("--report", required=True)
    args = p.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    torch.manual_seed(0)

    model = onnx.load(args.model)
    graph_input = model.graph.input[0].name
    embedding = model.graph.output[0].name
    feature_map = "ReLU393_Output_0"
    nodes, init = fold_batch_norm(model.graph)
    quantized, fused_relu = plan(nodes, graph_input)
    # A tensor whose Relu was fused is recorded at the Relu's output (what consumers read).
    recorded = [t for t, kind in quantized.items() if not kind.startswith("same:")]

    calib = np.concatenate([decode(v, args.every) for v in args.calibrate])
    hold = np.concatenate([decode(v, args.every) for v in args.hold_out])
    print(f"calibration: {len(calib)} frames from {len(args.calibrate)} videos; hold-out: {len(hold)} frames from {len(args.hold_out)} videos", flush=True)

    # Float check first: the folded graph must reproduce the ONNX file's embedding (checked again in C#).
    recorder = RangeRecorder(recorded)
    with torch.no_grad():
        for start in range(0, len(calib), 16):
            batch = calib[start:start + 16]
            outs = run_float(nodes, init, batch, set(recorded) | {embedding})
            recorder.add(graph_input, torch.from_numpy(batch))
            for t in recorded:
                if t != graph_input:
                    recorder.add(t, outs[t])

    def params_for(method):
        params = {}
        for t, kind in quantized.items():
            if not kind.startswith("same:"):
                lo, hi = recorder.range(t, method)
                # The input's range is known exactly (pixels minus the mean): never clip it.
                if t == graph_input:
                    lo, hi = float(-MEAN_BGR.max()), float(255 - MEAN_BGR.min())
                params[t] = qparams(lo, hi, kind)
        for t, kind in quantized.items():
            if kind.startswith("same:"):
                params[t] = params[kind[5:]]
        return params

    choice = {}
    with torch.no_grad():
        ref = {k: [] for k in (embedding, feature_map)}
        for start in range(0, len(hold), 16):
            outs = run_float(nodes, init, hold[start:start + 16], {embedding, feature_map})
            for k in ref:
                ref[k].append(outs[k])
        ref = {k: torch.cat(v) for k, v in ref.items()}
        for method in METHODS:
            params = params_for(method)
            sims = {k: [] for k in ref}
            for start in range(0, len(hold), 16):
                outs = run_simulated(nodes, init, hold[start:start + 16], params, fused_relu, graph_input, {embedding, feature_map})
                for k in sims:
                    sims[k].append(outs[k])
            emb = cosine(torch.cat(sims[embedding]), ref[embedding])
            fm = cosine(torch.cat(sims[feature_map]), ref[feature_map])
            choice[method] = {"embeddingCosineMean": round(float(emb.mean()), 5), "embeddingCosineMin": round(float(emb.min()), 5),
                              "featureMapCosineMean": round(float(fm.mean()), 5), "featureMapCosineMin": round(float(fm.min()), 5)}
            print(f"{method:>9}: hold-out embedding cosine mean {emb.mean():.5f} min {emb.min():.5f}; feature map mean {fm.mean():.5f} min {fm.min():.5f}", flush=True)
    best = max(METHODS, key=lambda m: (choice[m]["embeddingCosineMin"], choice[m]["embeddingCosineMean"]))
    print(f"chosen on the hold-out videos: {best}")

    qmodel = build_qdq(model, nodes, init, params_for(best), fused_relu, graph_input, embedding, feature_map)
    data = qmodel.SerializeToString()
    with open(args.out, "wb") as f:
        f.write(data)

    def sha(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    report = {
        "source": {"file": os.path.basename(args.model), "sha256": sha(args.model)},
        "output": {"file": os.path.basename(args.out), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)},
        "scheme": "QDQ opset 13; weights int8 symmetric per output channel; activations uint8 per tensor; biases int32",
        "calibration": {"videos": [os.path.basename(v) for v in args.calibrate], "everyNthFrame": args.every, "frames": int(len(calib))},
        "holdOut": {"videos": [os.path.basename(v) for v in args.hold_out], "frames": int(len(hold))},
        "rangeMethods": choice,
        "chosen": best,
    }
    with open(args.report, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out} ({len(data) / 1e6:.1f} MB) and {args.report}")


if __name__ == "__main__":
    main()
