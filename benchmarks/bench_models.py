"""Training and inference throughput of the ViT and the MoE-ViT on CPU, against timm's VisionTransformer.

    python benchmarks/bench_models.py                 # default: batch 64, 15 interleaved rounds
    python benchmarks/bench_models.py --rounds 5      # quicker, noisier
    python benchmarks/bench_models.py --threads 1 --clock cpu   # on a busy shared machine (see below)

For the default patch (32, 36) (2 x 2 tokens) and an (8, 9) patch (8 x 8 tokens) it times
- training: forward, cross-entropy + aux loss, backward and an AdamW step on a batch of maps (maps/s);
- inference: eval mode without gradients, a batch of maps (maps/s) and a single map (ms per call).
The reference is timm's `VisionTransformer` with the same dimensions and the same dropout placement
(`pos_drop_rate` and `proj_drop_rate` = the study's drop_rate, `drop_rate=0`: no dropout before the head,
`attn_drop_rate=0`), timed in the same run. timm is not a dependency: the reference is timed only if it is
installed.

The machine may be shared, so the models of one group are timed in turn, a few calls each, round after
round; each ratio is taken within a round (the same seconds of machine load) and summarised by the median
over the rounds. When other jobs keep the cores busy, wall-clock times mostly measure the waiting: then
`--threads 1 --clock cpu` times the CPU time this process itself used (`time.process_time`), which is what
the model costs, whatever the load.
"""
import argparse, importlib.abc, importlib.machinery, statistics, sys, time, types

import torch
import torch.nn.functional as F

from hcal_ml4dqm.moe import MoEViT
from hcal_ml4dqm.vit import ViT


def _allow_timm_without_torchvision():
    """timm imports torchvision at module level (for its image transforms and a frozen-BatchNorm helper), though
    VisionTransformer uses none of it. If torchvision is absent, register an empty placeholder package for it in
    this process only, so that timm imports; any use of a torchvision name raises ImportError."""
    try:
        import torchvision  # noqa: F401
        return
    except ImportError: pass
    import enum

    class InterpolationMode(enum.Enum):  # the one torchvision name timm reads at import time
        NEAREST, NEAREST_EXACT, BILINEAR, BICUBIC, BOX, HAMMING, LANCZOS = (
            'nearest', 'nearest-exact', 'bilinear', 'bicubic', 'box', 'hamming', 'lanczos')

    class _Absent(type):
        def __getattr__(cls, name): return cls
    class Absent(metaclass=_Absent):
        def __init__(self, *args, **kwargs): raise ImportError('torchvision is not installed')

    class Placeholder(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith('__'): raise AttributeError(name)
            return InterpolationMode if name == 'InterpolationMode' else Absent

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, fullname, path, target=None):
            parts = fullname.split('.')
            if parts[0] == 'torchvision' and parts[-1].islower():
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        def create_module(self, spec): return Placeholder(spec.name)
        def exec_module(self, module): module.__path__ = []

    sys.meta_path.append(Finder())


def timm_vit(patch_size, embed_dim, drop=0.1):
    "timm's VisionTransformer configured as our ViT, or None if timm is not installed."
    _allow_timm_without_torchvision()
    try: from timm.models.vision_transformer import VisionTransformer
    except ImportError as e:
        print(f"timm not available ({e}); no reference", file=sys.stderr)
        return None
    return VisionTransformer(img_size=(64, 72), patch_size=patch_size, in_chans=1, num_classes=2, embed_dim=embed_dim,
                             depth=4, num_heads=2, mlp_ratio=4.0, drop_rate=0.0, pos_drop_rate=drop,
                             proj_drop_rate=drop, attn_drop_rate=0.0)


def train_step(model, batch, x=None, fused=False, compiled=False):
    "One optimisation step on a fixed batch (maps `x`, default random normal), as a closure."
    x = torch.randn(batch, 1, 64, 72) if x is None else x
    y = torch.randint(0, 2, (batch,))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=fused)
    aux = getattr(model, 'aux_loss', None)
    net = torch.compile(model) if compiled else model
    def step():
        model.train()
        loss = F.cross_entropy(net(x), y)
        if aux is not None: loss = loss + aux()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


def infer_step(model, batch):
    x = torch.randn(batch, 1, 64, 72)
    model.eval()
    def step():
        with torch.no_grad(): model(x)
    return step


CLOCK = time.perf_counter  # or time.process_time: `--clock cpu`

def seconds_per_call(step, n):
    t0 = CLOCK()
    for _ in range(n): step()
    return (CLOCK() - t0) / n


def compare(title, models, make_step, n, rounds, unit):
    "Time each model's step `n` times per round, in turn, for `rounds` rounds; print per-call figures and ratios to the first model."
    steps = {name: make_step(m) for name, m in models.items() if m is not None}
    for step in steps.values(): step(); step()  # warm up
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items(): times[name].append(seconds_per_call(step, n))
    ref = next(iter(steps))
    print(f"\n{title}")
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = statistics.median(r / t for r, t in zip(times[ref], ts))  # > 1: faster than the reference
        figure = f"{med * 1e3:8.3f} ms/call" if unit == 'ms' else f"{unit / med:8.0f} maps/s"
        print(f"  {name:24} {figure}   x{ratio:5.2f} vs {ref} (median of {rounds} rounds; best round x{max(r / t for r, t in zip(times[ref], ts)):.2f})")
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batch', type=int, default=64, help='maps per training/inference batch')
    ap.add_argument('--rounds', type=int, default=15, help='interleaved timing rounds')
    ap.add_argument('--threads', type=int, default=None, help='torch threads (default: torch default)')
    ap.add_argument('--clock', choices=['wall', 'cpu'], default='wall', help='wall-clock time, or CPU time of this process')
    args = ap.parse_args()
    global CLOCK
    if args.threads: torch.set_num_threads(args.threads)
    if args.clock == 'cpu': CLOCK = time.process_time
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, {args.rounds} rounds, {args.clock} clock")
    for patch, n_train, n_infer, n_single in [((32, 36), 4, 10, 50), ((8, 9), 1, 2, 20)]:
        torch.manual_seed(0)
        vits = {'timm VisionTransformer': timm_vit(patch, 64), 'ours (ViT)': ViT(patch_size=patch)}
        moes = {'timm VisionTransformer': timm_vit(patch, 32), 'ours (MoEViT, top_k=2)': MoEViT(patch_size=patch),
                'ours (MoEViT, top_k=1)': MoEViT(patch_size=patch, top_k=1)}
        grid = ViT(patch_size=patch).grid
        for label, models in [('ViT, embed 64', vits), ('MoE-ViT, embed 32 (timm: a plain ViT of the same width)', moes)]:
            head = f"patch {patch} ({grid[0]} x {grid[1]} tokens), {label}"
            compare(f"{head}: training", models, lambda m: train_step(m, args.batch), n_train, args.rounds, args.batch)
            compare(f"{head}: inference, batch {args.batch}", models, lambda m: infer_step(m, args.batch), n_infer, args.rounds, args.batch)
            compare(f"{head}: inference, one map", models, lambda m: infer_step(m, 1), n_single, args.rounds, 'ms')


if __name__ == '__main__': main()
