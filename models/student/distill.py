#!/usr/bin/python3
"""A smaller student of the shipped ResNet-18, distilled on the shared footage (issue 13 item 5).

  distill.py --teacher ResNet18.onnx --keep 0.25 --epochs 16 --lr 1e-3 --out student.onnx [--data ../shared/data]

Run by models/student/distill.sh; see docs/models.md, "Distilled student backbone".
1. Pruning: the teacher's batch normalisation is folded (quantize.py's pass), then in each of its 9 residual blocks the
   inner convolution keeps the `keep` share of its output channels with the largest L1 norm, and the block's second
   convolution the matching inputs. The residual stream, the 7x7x512 feature map and the 512-value embedding keep
   their shapes and names, so the product, the quantizer and the heads read the student as they read the teacher.
2. Distillation: the student learns the FP32 teacher's 7x7x512 map (squared error, each channel divided by its mean
   activation) and its pooled embedding (cosine), on every 2nd frame of Ped2's 16 training videos and of vtest.avi,
   and every 4th frame of the fight clips of odd-numbered groups (blocks of 10 clip numbers, as train.py's grouped
   folds); each frame mirrored at random half the time. No labels are read. Adam, one-cycle schedule, batch 32, seeded.
3. Held out: every 10th frame of Ped2's test videos and every 8th of the even groups' fight clips; the embedding
   cosine to the teacher there is printed after every epoch.
The folded float student is written after every epoch; distill.sh quantizes it as quantize.sh does the teacher.
On the 2-core VM one epoch takes about 70 s (glibc must not return memory to the system after every step: distill.sh
sets MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_, without which an epoch took 245 s, three quarters in the kernel).
"""
import argparse, glob, os, re, sys, time
import numpy as np, onnx, torch, torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'resnet18'))
import quantize as q

def inner_pairs(nodes):
    consumers = {}
    for n in nodes:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    pairs = []
    for n in nodes:
        if n.op_type != 'Conv': continue
        f = consumers.get(n.output[0], [])
        if len(f) == 1 and f[0].op_type == 'Relu':
            g = consumers.get(f[0].output[0], [])
            if len(g) == 1 and g[0].op_type == 'Conv':
                h = consumers.get(g[0].output[0], [])
                if len(h) == 1 and h[0].op_type == 'Add':
                    pairs.append((n, g[0]))
    return pairs

def write(model, nodes, init, path):
    inp = model.graph.input[0]; out = model.graph.output[0]
    used = {i for n in nodes for i in n.input}
    inits = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in init.items() if k in used]
    graph = helper.make_graph(nodes, 'student', [helper.make_tensor_value_info(inp.name, TensorProto.FLOAT, ['N', 3, 224, 224])],
                              [helper.make_tensor_value_info(out.name, TensorProto.FLOAT, ['N', 512, 1, 1])], initializer=inits,
                              value_info=[helper.make_tensor_value_info('ReLU393_Output_0', TensorProto.FLOAT, ['N', 512, 7, 7])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='streamanalytics-student')
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, path)

def prune(init, pairs, keep):
    for a, b in pairs:
        w = init[a.input[1]]
        k = max(1, int(round(w.shape[0] * keep)))
        idx = np.sort(np.argsort(-np.abs(w).reshape(w.shape[0], -1).sum(1))[:k])
        init[a.input[1]] = w[idx]; init[a.input[2]] = init[a.input[2]][idx]
        init[b.input[1]] = init[b.input[1]][:, idx]


p = argparse.ArgumentParser()
p.add_argument('--teacher', required=True); p.add_argument('--keep', type=float, default=0.25)
p.add_argument('--epochs', type=int, default=8); p.add_argument('--lr', type=float, default=3e-4)
p.add_argument('--out', required=True); p.add_argument('--data', default='../shared/data'); p.add_argument('--batch', type=int, default=32)
p.add_argument('--cache', default='/tmp/streamanalytics-student/frames.npz', help='decoded frames and teacher maps, reused')
a = p.parse_args()
torch.set_num_threads(2); torch.manual_seed(0); rng = np.random.default_rng(0)
D = a.data
FM = 'ReLU393_Output_0'  # the 7x7x512 map; the embedding is its mean

def fight_group(path):
    return (int(re.search(r'(\d+)\.mp4$', path).group(1)) - 1) // 10

train_videos = [(v, 2) for v in sorted(glob.glob(f'{D}/ucsd-ped2/train/*.mp4'))] + [('/usr/share/doc/opencv-doc/examples/data/vtest.avi', 2)]
fights = sorted(glob.glob(f'{D}/surveillance-fight/fight/*.mp4') + glob.glob(f'{D}/surveillance-fight/noFight/*.mp4'))
train_videos += [(v, 4) for v in fights if fight_group(v) % 2 == 1]
held_videos = [(v, 10) for v in sorted(glob.glob(f'{D}/ucsd-ped2/test/*.mp4'))] + [(v, 8) for v in fights if fight_group(v) % 2 == 0]

def load(videos):
    return np.concatenate([q.decode(v, e) for v, e in videos])

if os.path.exists(a.cache):
    z = np.load(a.cache); X, H = z['X'], z['H']
else:
    X, H = load(train_videos), load(held_videos)
    os.makedirs(os.path.dirname(a.cache), exist_ok=True); np.savez(a.cache, X=X, H=H)
print(f'train frames {len(X)}, held-out frames {len(H)}', flush=True)

model = onnx.load(a.teacher)
nodes, init = q.fold_batch_norm(model.graph)
tw = {k: torch.from_numpy(v) for k, v in init.items()}

def run(nodes, weights, x, keep):
    values = {nodes[0].input[0]: x}; out = {}
    for n in nodes:
        y = q.apply(n, values, weights); values[n.output[0]] = y
        if n.output[0] in keep: out[n.output[0]] = y
    return out

def teacher_maps(frames):
    maps = []
    with torch.no_grad():
        for s in range(0, len(frames), 32):
            maps.append(run(nodes, tw, torch.from_numpy(frames[s:s + 32]), {FM})[FM].half())
    return torch.cat(maps)

t0 = time.time()
tcache = a.cache.replace('.npz', '.teacher.pt')
if os.path.exists(tcache):
    TX, TH = torch.load(tcache)
else:
    TX, TH = teacher_maps(X), teacher_maps(H); torch.save((TX, TH), tcache)
# Flipped frames get the teacher's map of the flipped frame, not a flipped map: ResNet-18 is not mirror-symmetric.
fcache = a.cache.replace('.npz', '.teacherflip.pt')
if os.path.exists(fcache):
    TXF = torch.load(fcache)
else:
    TXF = teacher_maps(np.ascontiguousarray(X[:, :, :, ::-1])); torch.save(TXF, fcache)
print(f'teacher maps in {time.time() - t0:.0f} s', flush=True)

sinit = dict(init)
pairs = inner_pairs(nodes)
prune(sinit, pairs, a.keep)
params = {k: torch.nn.Parameter(torch.from_numpy(v.copy())) for k, v in sinit.items()}
opt = torch.optim.Adam(params.values(), lr=a.lr)
steps = a.epochs * (len(X) // a.batch)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.1)
chan_scale = TX.float().mean(dim=(0, 2, 3)).clamp_min(1e-3)  # per-channel mean activation, to weigh channels evenly

def loss_fn(smap, tmap):
    tmap = tmap.float()
    l_map = (((smap - tmap) / chan_scale[None, :, None, None]) ** 2).mean()
    se, te = smap.mean(dim=(2, 3)), tmap.mean(dim=(2, 3))
    l_emb = (1 - F.cosine_similarity(se, te)).mean()
    return l_map + 10 * l_emb, l_emb

def evaluate(frames, tmaps):
    cos = []
    with torch.no_grad():
        for s in range(0, len(frames), 64):
            sm = run(nodes, params, torch.from_numpy(frames[s:s + 64]), {FM})[FM]
            cos.append(F.cosine_similarity(sm.mean(dim=(2, 3)), tmaps[s:s + 64].float().mean(dim=(2, 3))))
    c = torch.cat(cos); return float(c.mean()), float(c.min())

print('before training: held-out embedding cosine mean %.4f min %.4f' % evaluate(H, TH), flush=True)
step = 0
for ep in range(a.epochs):
    perm = rng.permutation(len(X)); t0 = time.time(); tot = 0; te = 0
    for s in range(0, len(perm) - a.batch + 1, a.batch):
        idx = perm[s:s + a.batch]
        flip = rng.random(len(idx)) < 0.5
        xb = X[idx].copy(); xb[flip] = xb[flip][:, :, :, ::-1]
        tb = torch.where(torch.from_numpy(flip)[:, None, None, None], TXF[idx], TX[idx])
        smap = run(nodes, params, torch.from_numpy(np.ascontiguousarray(xb)), {FM})[FM]
        l, le = loss_fn(smap, tb)
        opt.zero_grad(); l.backward(); opt.step(); sched.step(); step += 1
        tot += float(l); te += float(le)
    nb = len(perm) // a.batch
    print(f'epoch {ep}: loss {tot / nb:.4f} emb {te / nb:.4f} ({time.time() - t0:.0f} s); held-out cosine mean %.4f min %.4f' % evaluate(H, TH), flush=True)
    out_init = {k: v.detach().numpy() for k, v in params.items()}
    write(model, nodes, out_init, a.out)
print('wrote', a.out)
