#!/usr/bin/python3
"""Exports one of torchvision's video classifiers to ONNX, with a StreamAnalytics model.json.

    /usr/bin/python3 models/torchvision-video/export.py --model r3d_18 --out DIR --weights r3d_18-b3b3357e.pth
    /usr/bin/python3 models/torchvision-video/export.py --model r3d_18 --out DIR --random-weights [--fp16]

Writes into DIR:
    model.onnx        the network; input 'clip' [N,3,T,H,W] float32, output 'logits' [N,400] float32,
                      batch dimension symbolic ('N'). With --fp16 the weights and arithmetic are float16,
                      but the input and output stay float32 (Casts at both ends), so the pipeline feeds
                      it exactly like the float32 file. Meant for the CUDA provider (r3d/mc3/r2plus1d/s3d).
    model.json        the StreamAnalytics manifest (layout NCTHW, frames T, RGB, scale 1/255, the
                      weights' own mean/std, one classLogits output with labelsFile).
    kinetics400.txt   the 400 Kinetics class names, one per line, in output order. They come from the
                      metadata inside the installed torchvision package (no download).
    export.json       where the file came from (architecture, weights, versions, opset), read by the
                      GPU benchmark to run the same model in PyTorch.
    sample-*.f32      with --sample: a fixed input batch and PyTorch's float32 logits for it (raw
                      little-endian float32), so ONNX Runtime's output can be checked against PyTorch.

Nothing is downloaded. Real weights must come from your own environment (--weights: a state dict
saved with torch.save, e.g. torchvision's r3d_18-b3b3357e.pth); --random-weights gives a seeded,
reproducible untrained network with the same architecture and speed, for tests and benchmarks.
Works with the Debian torch 1.13 / torchvision 0.14 and with newer torch (dynamo=False where that
parameter exists).
"""

import argparse
import hashlib
import inspect
import json
import os
import sys

import torch
import torchvision
from torchvision.models import video as tv_video

# Per architecture: the torchvision builder, its Kinetics-400 weights enum, the default clip size,
# and whether frames/size may differ from the default (positional embeddings and fixed pooling
# windows pin some of them).
ARCHITECTURES = {
    "r3d_18": ("r3d_18", "R3D_18_Weights", 16, 112, "any"),
    "mc3_18": ("mc3_18", "MC3_18_Weights", 16, 112, "any"),
    "r2plus1d_18": ("r2plus1d_18", "R2Plus1D_18_Weights", 16, 112, "any"),
    # S3D ends in AvgPool3d(2, 7, 7): at least 14 frames and 224 pixels. Its weights were evaluated
    # at clip_len 128; 16 keeps a pipeline window short.
    "s3d": ("s3d", "S3D_Weights", 16, 224, "s3d"),
    # MViT's positional embeddings are sized for exactly 16 x 224 x 224.
    "mvit_v1_b": ("mvit_v1_b", "MViT_V1_B_Weights", 16, 224, "fixed"),
    "mvit_v2_s": ("mvit_v2_s", "MViT_V2_S_Weights", 16, 224, "fixed"),
}

# --fp16 rewrites the float32 graph; MViT's export holds Loop subgraphs (TorchScript-scripted helpers)
# whose float tensors the rewrite does not reach, so it is limited to the convolutional networks.
FP16_ARCHITECTURES = ("r3d_18", "mc3_18", "r2plus1d_18", "s3d")

INPUT_NAME = "clip"
OUTPUT_NAME = "logits"
LABELS_FILE = "kinetics400.txt"


def available_architectures():
    return [name for name, spec in ARCHITECTURES.items() if hasattr(tv_video, spec[0]) and hasattr(tv_video, spec[1])]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, choices=sorted(ARCHITECTURES), help="torchvision architecture")
    parser.add_argument("--out", required=True, help="output folder (created)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", help="state dict (.pth) from your own environment")
    source.add_argument("--random-weights", action="store_true", help="seeded random weights (tests, speed work)")
    parser.add_argument("--fp16", action="store_true", help="float16 weights and arithmetic, float32 input/output (CUDA)")
    parser.add_argument("--frames", type=int, help="T, frames per clip (default: the architecture's)")
    parser.add_argument("--size", type=int, help="height = width in pixels (default: the architecture's)")
    parser.add_argument("--opset", type=int, help="ONNX opset (default: 17, or the highest this torch supports)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --random-weights and --sample")
    parser.add_argument("--sample", action="store_true", help="also write a batch-2 input and PyTorch's logits for it")
    parser.add_argument("--name", help="manifest name (default: <model>-kinetics400, or <model>-random)")
    return parser.parse_args(argv)


def highest_opset():
    try:
        from torch.onnx import _constants
        return int(getattr(_constants, "ONNX_MAX_OPSET"))
    except (ImportError, AttributeError, TypeError, ValueError):
        return 17


def load_state_dict(path):
    state = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model", "model_state"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict):
        raise SystemExit(f"{path}: expected a state dict (a dict of tensors), got {type(state).__name__}")
    # Checkpoints saved from DataParallel/DistributedDataParallel prefix every key with 'module.'.
    return {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}


def clip_size(args, default_frames, default_size, rule):
    frames = args.frames or default_frames
    size = args.size or default_size
    if frames < 1 or size < 1:
        raise SystemExit("--frames and --size must be positive")
    if rule == "fixed" and (frames, size) != (default_frames, default_size):
        raise SystemExit(f"{args.model} only takes {default_frames} x {default_size} x {default_size} clips (fixed positional embeddings)")
    if rule == "s3d" and (frames < 14 or size < 224):
        raise SystemExit("s3d needs at least 14 frames and 224 pixels (its last pooling window is 2 x 7 x 7)")
    return frames, size


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_onnx(model, example, path, opset):
    kwargs = dict(
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
        opset_version=opset,
        do_constant_folding=True,
    )
    # torch >= 2.5 has a dynamo exporter (the default from 2.9); this script targets the TorchScript one.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, (example,), path, **kwargs)


def check_onnx(path, frames, size):
    """Structural check with the onnx package when present (python3-onnx); the export works without it."""
    try:
        import onnx
    except ImportError:
        return "not checked (python3-onnx not installed)"
    model = onnx.load(path)
    onnx.checker.check_model(model)
    (graph_input,) = [i for i in model.graph.input if i.name == INPUT_NAME]
    dims = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    expected = ["N", 3, frames, size, size]
    if dims != expected:
        raise SystemExit(f"{path}: input {INPUT_NAME} has shape {dims}, expected {expected}")
    return "onnx.checker passed"


# --- float16 conversion -------------------------------------------------------------------------
# torch 1.13 cannot trace a float16 Conv3d on CPU, so the float32 graph is converted afterwards:
# every float32 initializer, Constant and Cast-to-float becomes float16, and Casts at the graph's
# input and output keep the interface float32 (the pipeline feeds float32). Inputs that ONNX
# requires to stay float32 (Resize scales) are left alone.

KEEP_FLOAT32_INPUTS = {("Resize", 2), ("Upsample", 1)}


def convert_to_fp16(path):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(path)
    graph = model.graph
    keep = {node.input[i] for node in graph.node for (op, i) in KEEP_FLOAT32_INPUTS if node.op_type == op and len(node.input) > i}

    def to_half(tensor):
        array = numpy_helper.to_array(tensor)
        finfo = np.finfo(np.float16)
        half = np.clip(array, finfo.min, finfo.max).astype(np.float16)
        converted = numpy_helper.from_array(half, tensor.name)
        tensor.CopyFrom(converted)

    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and init.name not in keep:
            to_half(init)
    for node in graph.node:
        if node.op_type == "Constant" and node.output[0] not in keep:
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    to_half(attr.t)
        if node.op_type == "Cast":
            for attr in node.attribute:
                if attr.name == "to" and attr.i == TensorProto.FLOAT:
                    attr.i = TensorProto.FLOAT16
        if node.op_type == "ConstantOfShape":
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    to_half(attr.t)

    # float32 in → Cast → float16 graph → Cast → float32 out.
    (graph_input,) = [i for i in graph.input if i.name == INPUT_NAME]
    (graph_output,) = [o for o in graph.output if o.name == OUTPUT_NAME]
    half_in, half_out = INPUT_NAME + "_fp16", OUTPUT_NAME + "_fp16"
    for node in graph.node:
        node.input[:] = [half_in if name == INPUT_NAME else name for name in node.input]
        node.output[:] = [half_out if name == OUTPUT_NAME else name for name in node.output]
    graph.node.insert(0, helper.make_node("Cast", [INPUT_NAME], [half_in], to=TensorProto.FLOAT16, name="clip_to_fp16"))
    graph.node.append(helper.make_node("Cast", [half_out], [OUTPUT_NAME], to=TensorProto.FLOAT, name="logits_to_fp32"))
    assert graph_input.type.tensor_type.elem_type == TensorProto.FLOAT
    assert graph_output.type.tensor_type.elem_type == TensorProto.FLOAT
    # Recorded intermediate types are float32: drop them and let inference redo them.
    del graph.value_info[:]
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main(argv):
    args = parse_args(argv)
    if args.model not in available_architectures():
        raise SystemExit(f"torchvision {torchvision.__version__} has no {args.model}; available: {', '.join(available_architectures())}")
    builder_name, weights_enum_name, default_frames, default_size, rule = ARCHITECTURES[args.model]
    frames, size = clip_size(args, default_frames, default_size, rule)
    if args.fp16 and args.model not in FP16_ARCHITECTURES:
        raise SystemExit(f"--fp16 supports {', '.join(FP16_ARCHITECTURES)}; {args.model}'s graph has Loop subgraphs the float16 rewrite does not handle")
    opset = args.opset or min(17, highest_opset())

    # The weights' metadata ships inside torchvision: class names and preprocessing, no download.
    weights_enum = getattr(tv_video, weights_enum_name).KINETICS400_V1
    categories = list(weights_enum.meta["categories"])
    preprocessing = weights_enum.transforms()
    mean = [float(m) for m in preprocessing.mean]
    std = [float(s) for s in preprocessing.std]

    torch.manual_seed(args.seed)
    model = getattr(tv_video, builder_name)(weights=None)
    if args.weights:
        model.load_state_dict(load_state_dict(args.weights), strict=True)
        weights_note = {"kind": "state_dict", "file": os.path.basename(args.weights), "sha256": sha256(args.weights)}
        version = "sha256-" + weights_note["sha256"][:12]
        name = args.name or f"{args.model}-kinetics400"
    else:
        weights_note = {"kind": "random", "seed": args.seed}
        version = f"random-seed{args.seed}"
        name = args.name or f"{args.model}-random"
    if args.fp16:
        name += "-fp16"
    model.eval()

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    example = torch.randn(1, 3, frames, size, size)
    export_onnx(model, example, onnx_path, opset)
    check = check_onnx(onnx_path, frames, size)
    if args.fp16:
        try:
            convert_to_fp16(onnx_path)
        except ImportError:
            raise SystemExit("--fp16 needs the onnx package (apt-get install python3-onnx)")
        check += "; float16 conversion type-checked"

    with open(os.path.join(out, LABELS_FILE), "w", encoding="utf-8") as f:
        f.write("\n".join(categories) + "\n")

    manifest = {
        "name": name,
        "version": version,
        "file": "model.onnx",
        "input": {
            "name": INPUT_NAME,
            "layout": "NCTHW",
            "frames": frames,
            "width": size,
            "height": size,
            "colorOrder": "RGB",
            "scale": 1.0 / 255.0,
            "mean": mean,
            "std": std,
        },
        "outputs": [{"name": OUTPUT_NAME, "role": "classLogits", "labelsFile": LABELS_FILE}],
    }
    with open(os.path.join(out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    provenance = {
        "architecture": args.model,
        "frames": frames,
        "size": size,
        "fp16": args.fp16,
        "weights": weights_note,
        "opset": opset,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "check": check,
        "labels": f"{weights_enum_name}.KINETICS400_V1.meta['categories'] of the installed torchvision",
        "command": " ".join([os.path.basename(sys.executable), os.path.relpath(__file__)] + list(argv)),
    }
    if args.sample:
        generator = torch.Generator().manual_seed(args.seed + 1)
        sample = torch.randn(2, 3, frames, size, size, generator=generator)
        with torch.no_grad():
            logits = model(sample)
        sample.numpy().astype("<f4").tofile(os.path.join(out, "sample-input.f32"))
        logits.numpy().astype("<f4").tofile(os.path.join(out, "sample-logits.f32"))
        provenance["sample"] = {"batch": 2, "input": "sample-input.f32", "logits": "sample-logits.f32",
                                "note": "input is already normalised (fed to the network as is); logits from PyTorch float32"}
    with open(os.path.join(out, "export.json"), "w", encoding="utf-8") as f:
        json.dump(provenance, f, indent=2)
        f.write("\n")

    megabytes = os.path.getsize(onnx_path) / 1e6
    print(f"{name}: {onnx_path} ({megabytes:.1f} MB, opset {opset}, input {INPUT_NAME} [N,3,{frames},{size},{size}], "
          f"{len(categories)} labels; {check})")


if __name__ == "__main__":
    main(sys.argv[1:])
