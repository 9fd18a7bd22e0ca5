"""A training roofline: this machine's fp32 matrix-multiply throughput beside the FLOP/s that a training step reaches.

    python benchmarks/bench_roofline.py                       # one torch thread (the CLI's default), 5 rounds
    python benchmarks/bench_roofline.py --threads 2 --rounds 9

In one process and one run it measures
- the limit: a large fp32 GEMM (`--gemm` x `--gemm` times `--gemm` x `--gemm`, 2 n^3 FLOPs), FLOP/s;
- the FLOPs of one training step (forward, cross-entropy + auxiliary loss, backward; AdamW adds no matmul) of the
  study's ViT (embed 64) and MoE-ViT (embed 32, 2 experts, top_k 2), with the default recipe's input standardisation
  and batch (128 maps), counted by `torch.utils.flop_counter.FlopCounterMode`, at the default 2 x 2 grid (patch
  32 x 36) and the 8 x 9 grid (patch 8 x 8), and timm's `VisionTransformer` of the same size where timm is installed;
- the time of that step (median over interleaved rounds), so each model's FLOP/s and its share of the GEMM's.

The GEMM is timed in every round too, between the models, so that load from other jobs hits both alike: each share
is taken within a round and the median over rounds is printed. `--clock cpu` (the default) times this process's CPU
time, which other jobs on a shared machine disturb far less than the wall clock; `--clock wall` for a quiet machine.
`--json PATH` writes every number.

`--ablation` adds, in the same rounds, the ViT with torch's `nn.Dropout` in place of the package's `Dropout` and the
ViT with AdamW's per-parameter loop in place of the fused step, so that each one's gain is measured in the same run;
`--compile` adds the ViT under `torch.compile` (default mode) and prints its compile time (first step, wall and CPU).
"""
import argparse, json, os, statistics, sys, time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).parent))
import bench_models  # noqa: E402  (the training step)
from bench_models import timm_vit  # noqa: E402  (timm's ViT configured as ours, or None)

from hcal_ml4dqm.moe import MoEViT  # noqa: E402
from hcal_ml4dqm.train import RECIPES  # noqa: E402
from hcal_ml4dqm.vit import Dropout, ViT  # noqa: E402

GRIDS = {'2x2': (32, 36), '8x9': (8, 8)}


def gemm_step(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return (lambda: torch.mm(a, b)), 2 * n ** 3


def with_torch_dropout(model):
    "`model` with torch's `nn.Dropout` in place of every `vit.Dropout` (the same rates)."
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, Dropout): setattr(module, name, torch.nn.Dropout(child.p))
    return model


def train_step(model, batch, fused, compiled=False):
    "One optimizer step of `model` on a fixed batch, as the trainer takes it, and its FLOPs."
    x = torch.rand(batch, 1, 64, 72) * 3   # occupancy-like: log1p values of a few units
    step = bench_models.train_step(model, batch, x, fused, compiled)
    if getattr(model, 'standardize', None) is not None: model.standardize.fit(x)
    if compiled:
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        print(f"torch.compile: first step {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU of this "
              "process (its compile workers not counted)")
        return step, None   # its FLOPs are the eager model's
    with FlopCounterMode(display=False) as counter: step()
    return step, counter.get_total_flops()


def timed(step, n, clock):
    t0 = clock()
    for _ in range(n): step()
    return (clock() - t0) / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, default=1, help='torch threads (default 1: the CLI\'s default)')
    ap.add_argument('--rounds', type=int, default=5, help='interleaved timing rounds')
    ap.add_argument('--batch', type=int, default=RECIPES['default'].hparams['ViT']['batch_size'], help='maps per step')
    ap.add_argument('--gemm', type=int, default=1024, help='size n of the n x n GEMM')
    ap.add_argument('--clock', choices=['cpu', 'wall'], default='cpu')
    ap.add_argument('--no-fused-adamw', action='store_true', help="AdamW's per-parameter loop instead of the fused step")
    ap.add_argument('--ablation', action='store_true', help="also the ViT with torch's dropout, and with AdamW's loop")
    ap.add_argument('--compile', action='store_true', help='also the ViT under torch.compile')
    ap.add_argument('--json', type=Path, default=None, help='write every number here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    clock = time.process_time if a.clock == 'cpu' else time.perf_counter
    load = os.getloadavg()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), batch {a.batch}, {a.rounds} rounds, "
          f"{a.clock} clock, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    gemm, gemm_flops = gemm_step(a.gemm)
    fused = not a.no_fused_adamw
    steps = {}
    for grid, patch in GRIDS.items():
        std = RECIPES['default'].model['standardize']
        for name, make in [('ViT', lambda: ViT(patch_size=patch, standardize=std)),
                           ('MoEViT', lambda: MoEViT(patch_size=patch, standardize=std)),
                           ('timm ViT', lambda: timm_vit(patch, 64))]:
            torch.manual_seed(0)
            model = make()
            if model is not None: steps[(grid, name)] = train_step(model, a.batch, fused)
        if a.ablation:
            torch.manual_seed(0)
            steps[(grid, 'ViT, nn.Dropout')] = train_step(with_torch_dropout(ViT(patch_size=patch, standardize=std)), a.batch, fused)
            torch.manual_seed(0)
            steps[(grid, 'ViT, AdamW loop')] = train_step(ViT(patch_size=patch, standardize=std), a.batch, fused=False)
        if a.compile:
            torch.manual_seed(0)
            step, _ = train_step(ViT(patch_size=patch, standardize=std), a.batch, fused, compiled=True)
            steps[(grid, 'ViT, compiled')] = step, steps[(grid, 'ViT')][1]   # the same model's FLOPs
    reps = {key: 2 if key[0] == '2x2' else 1 for key in steps}   # calls per round: a few hundred ms each
    for step, _ in steps.values(): step(); step()                 # warm up
    gemm(); gemm()
    gemm_t, times = [], {key: [] for key in steps}
    for _ in range(a.rounds):
        gemm_t.append(timed(gemm, 10, clock))
        for key, (step, _) in steps.items(): times[key].append(timed(step, reps[key], clock))
    peak = [gemm_flops / t for t in gemm_t]
    print(f"\nGEMM {a.gemm} x {a.gemm} fp32: {statistics.median(peak) / 1e9:.1f} GFLOP/s (median; rounds "
          f"{min(peak) / 1e9:.1f} to {max(peak) / 1e9:.1f})\n")
    print(f"{'grid':5} {'model':16} {'GFLOP/step':>10} {'ms/step':>8} {'GFLOP/s':>8} {'of GEMM':>8} {'x timm':>7}")
    rows = []
    for (grid, name), ts in times.items():
        flops = steps[(grid, name)][1]
        share = statistics.median(flops / t / p for t, p in zip(ts, peak))
        ref = times.get((grid, 'timm ViT'))
        vs_timm = statistics.median(r / t for r, t in zip(ref, ts)) if ref else None
        rows.append(dict(grid=grid, model=name, gflop_per_step=flops / 1e9, ms_per_step=statistics.median(ts) * 1e3,
                         gflops=flops / statistics.median(ts) / 1e9, share_of_gemm=share, x_timm=vs_timm))
        print(f"{grid:5} {name:16} {flops / 1e9:10.3f} {statistics.median(ts) * 1e3:8.1f} {flops / statistics.median(ts) / 1e9:8.1f}"
              f" {share:8.1%} {'' if vs_timm is None else f'{vs_timm:7.2f}'}")
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(dict(torch=torch.__version__, threads=a.threads, batch=a.batch, rounds=a.rounds,
                                          clock=a.clock, fused_adamw=fused, load_before=load, load_after=os.getloadavg(),
                                          gemm_n=a.gemm, gemm_gflops=statistics.median(peak) / 1e9, rows=rows), indent=1))


if __name__ == '__main__': main()
