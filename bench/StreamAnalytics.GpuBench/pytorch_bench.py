#!/usr/bin/python3
"""PyTorch eager throughput of a torchvision video classifier, for comparison with ONNX Runtime.

    python3 pytorch_bench.py --arch r3d_18 --frames 16 --size 112 --batches 1,8,32 --seconds 20 [--dtype fp16] [--device cuda]

Random weights (speed does not depend on them) and a random input that stays on the device, so this is
PyTorch at its best: no host-to-device copy per run. Each batch size is measured in both memory layouts
(contiguous and channels_last_3d) and the faster one is reported as "best". cudnn.benchmark is on;
for fp32 on CUDA, TF32 is allowed (PyTorch's default for convolutions). The last line of stdout is one
JSON object: {"torch", "device", "dtype", "notes", "results": [...], "best": [{"batch", "layout",
"clipsPerSecond", ...}]} or {"error": "..."}.
"""

import argparse
import json
import sys
import time


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", required=True)
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--dtype", choices=["fp16", "fp32"], default="fp16")
    parser.add_argument("--layouts", default="contiguous,channels_last")
    args = parser.parse_args(argv)

    try:
        import torch
        from torchvision.models import video as tv_video
    except ImportError as e:
        return fail(f"cannot import torch/torchvision: {e}")

    if args.device == "cuda" and not torch.cuda.is_available():
        return fail(f"torch {torch.__version__} sees no CUDA device")
    if args.device == "cpu" and args.dtype == "fp16":
        return fail("fp16 convolutions need CUDA; use --dtype fp32 on CPU")
    if not hasattr(tv_video, args.arch):
        return fail(f"torchvision has no video model {args.arch}")

    device = torch.device(args.device)
    dtype = torch.float16 if args.dtype == "fp16" else torch.float32
    torch.backends.cudnn.benchmark = True
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        device_name = torch.cuda.get_device_name(device)
    else:
        device_name = f"CPU, {torch.get_num_threads()} threads"

    model = getattr(tv_video, args.arch)(weights=None).eval().to(device=device, dtype=dtype)
    batches = [int(b) for b in args.batches.split(",") if b.strip()]
    layouts = [l.strip() for l in args.layouts.split(",") if l.strip()]

    def synchronize():
        if args.device == "cuda":
            torch.cuda.synchronize(device)

    results = []
    with torch.inference_mode():
        for layout in layouts:
            memory_format = torch.channels_last_3d if layout == "channels_last" else torch.contiguous_format
            model = model.to(memory_format=memory_format)
            for batch in batches:
                x = torch.randn(batch, 3, args.frames, args.size, args.size, device=device, dtype=dtype)
                x = x.contiguous(memory_format=memory_format)
                # Warm-up: cudnn.benchmark picks its algorithms on the first runs of each shape.
                runs, started = 0, time.perf_counter()
                while runs < 3 or time.perf_counter() - started < args.warmup:
                    model(x)
                    runs += 1
                    synchronize()
                per_run = (time.perf_counter() - started) / runs
                # Queue several runs between synchronisations so the GPU never waits for Python.
                chunk = max(1, int(0.1 / max(per_run, 1e-6)))
                runs, started = 0, time.perf_counter()
                while True:
                    for _ in range(chunk):
                        model(x)
                    runs += chunk
                    synchronize()
                    elapsed = time.perf_counter() - started
                    if elapsed >= args.seconds:
                        break
                results.append({"batch": batch, "layout": layout, "runs": runs, "seconds": round(elapsed, 3),
                                "clipsPerSecond": round(runs * batch / elapsed, 2)})
                print(f"pytorch {args.arch} {args.dtype} {layout} batch {batch}: {runs * batch / elapsed:.1f} clips/s",
                      file=sys.stderr, flush=True)
                del x

    best = []
    for batch in batches:
        candidates = [r for r in results if r["batch"] == batch]
        best.append(max(candidates, key=lambda r: r["clipsPerSecond"]))
    notes = (f"eager {args.dtype}, random weights, input resident on the device"
             + (", cudnn.benchmark on" if args.device == "cuda" else "")
             + (", TF32 allowed" if args.device == "cuda" and args.dtype == "fp32" else "")
             + f", best of layouts {'/'.join(layouts)}")
    print(json.dumps({"torch": torch.__version__, "device": device_name, "dtype": args.dtype, "arch": args.arch,
                      "frames": args.frames, "size": args.size, "notes": notes, "results": results, "best": best}))
    return 0


def fail(message):
    print(json.dumps({"error": message}))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
