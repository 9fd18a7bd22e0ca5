"""A training roofline: this machine's fp32 matrix-multiply throughput beside the FLOP/s that a training step reaches.

    python benchmarks/bench_roofline.py                       # one torch thread (the CLI's default), 5 rounds
    python benchmarks/bench_roofline.py --threads 2 --rounds 9

In one process and one run it measures
- the limit: a large fp32 GEMM (`--gemm` x `--gemm` times `--gemm` x `--gemm`, 2 n^3 FLOPs), FLOP/s, twice: through
  MKL, the BLAS that torch's fp32 products on CPU (so the models' training) call, and through oneDNN (torch's MKL-DNN,
  reached by `torch.utils.mkldnn`: inference modules only), whose own kernels may be faster on the same machine;
- the FLOPs of one training step (forward, cross-entropy + auxiliary loss, backward; AdamW adds no matmul) of the
  study's ViT (embed 64) and MoE-ViT (embed 32, 2 experts, top_k 2), with the default recipe's input standardisation
  and batch (128 maps), counted by `torch.utils.flop_counter.FlopCounterMode`, at the default 2 x 2 grid (patch
  32 x 36) and the 8 x 9 grid (patch 8 x 8), and timm's `VisionTransformer` of the same size where timm is installed;
- the time of that step (median over interleaved rounds), so each model's FLOP/s and its share of the GEMM's.

The GEMM is timed in every round too, between the models, so that load from other jobs hits both alike: each share
is taken within a round and the median over rounds is printed. `--clock cpu` (the default) times this process's CPU
time, which other jobs on a shared machine disturb far less than the wall clock; `--clock wall` for a quiet machine.
`--json PATH` writes every number.

`--ablation` adds, in the same rounds, the ViT with torch's `nn.Dropout` in place of the package's `Dropout`, the
ViT with AdamW's per-parameter loop in place of the fused step, and the ViT whose `Standardize` makes new tensors
instead of changing its first one in place, so that each one's gain is measured in the same run;
`--compile` adds the ViT under `torch.compile` (default mode) and prints its compile time (first step, wall and CPU).
`--breakdown` then profiles the ViT's step at each grid (`torch.profiler`, 5 steps) and prints where its CPU time goes:
matrix products, the attention kernel, and the rest (elementwise work, copies, the optimizer, dispatch).
"""
import argparse, json, os, statistics, sys, time
from pathlib import Path

import torch
import torch.utils.mkldnn
from torch.utils.flop_counter import FlopCounterMode, sdpa_backward_flop_count, sdpa_flop_count

sys.path.insert(0, str(Path(__file__).parent))
import bench_models  # noqa: E402  (the training step)
from bench_models import timm_vit  # noqa: E402  (timm's ViT configured as ours, or None)

from hcal_ml4dqm.moe import MoEViT  # noqa: E402
from hcal_ml4dqm.train import RECIPES  # noqa: E402
from hcal_ml4dqm.vit import Dropout, ViT  # noqa: E402

GRIDS = {'2x2': (32, 36), '8x9': (8, 8)}
aten = torch.ops.aten
# torch's FLOP counter has formulas for the GPU kernels of F.scaled_dot_product_attention, not for the CPU one, whose
# products it would leave out: the same formulas (forward: QK^T and PV; backward: the scores recomputed and four more)
CPU_ATTENTION = {aten._scaled_dot_product_flash_attention_for_cpu: lambda q, k, v, *a, **kw: sdpa_flop_count(q, k, v),
                 aten._scaled_dot_product_flash_attention_for_cpu_backward:
                     lambda g, q, k, v, *a, **kw: sdpa_backward_flop_count(g, q, k, v)}


def flop_counter(): return FlopCounterMode(display=False, custom_mapping=CPU_ATTENTION)


def gemm_step(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return (lambda: torch.mm(a, b)), 2 * n ** 3


def onednn_gemm_step(n):
    "The same product through oneDNN: an n x n `Linear` converted by `torch.utils.mkldnn` on a oneDNN tensor."
    a, lin = torch.randn(n, n).to_mkldnn(), torch.utils.mkldnn.to_mkldnn(torch.nn.Linear(n, n, bias=False))
    return (lambda: lin(a)), 2 * n ** 3


def with_torch_dropout(model):
    "`model` with torch's `nn.Dropout` in place of every `vit.Dropout` (the same rates)."
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, Dropout): setattr(module, name, torch.nn.Dropout(child.p))
    return model


def with_standardize_out_of_place(model):
    "`model` with its `Standardize` computing as before it changed its batch in place: a new tensor for every step."
    def forward(self, x):
        z = (x - self.mean) / self.std
        return z - (z * self.active).sum((-3, -2, -1), keepdim=True) / self.active.sum().clamp_min(1) * self.active
    model.standardize.forward = forward.__get__(model.standardize)
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
    with flop_counter() as counter: step()
    return step, counter.get_total_flops()


KINDS = {'matrix products': ('aten::mm', 'aten::addmm', 'aten::bmm', 'aten::baddbmm'),
         'attention kernel': ('aten::_scaled_dot_product_flash_attention_for_cpu',
                              'aten::_scaled_dot_product_flash_attention_for_cpu_backward')}


def kind_of(op):  # an operator's name as the profiler gives it, e.g. 'aten::mm'
    return next((kind for kind, names in KINDS.items() if op in names), 'the rest')


def breakdown(step, n=5):
    ("{kind: (ms of self CPU time per step, GFLOP per step)} of `step` by kind of operator (`KINDS`, the rest): the "
     "times from `torch.profiler` over `n` steps, the FLOPs from `FlopCounterMode` over one.")
    with flop_counter() as counter: step()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(n): step()
    parts = {kind: [0., 0.] for kind in [*KINDS, 'the rest']}
    for e in prof.key_averages(): parts[kind_of(e.key)][0] += e.self_cpu_time_total / 1e3 / n
    for op, f in counter.get_flop_counts()['Global'].items():   # the counter names ops 'aten.mm'
        parts[kind_of(str(op).replace('.', '::', 1))][1] += f / 1e9
    return parts


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
    ap.add_argument('--breakdown', action='store_true', help="then the ViT's step time by kind of operator")
    ap.add_argument('--json', type=Path, default=None, help='write every number here')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    clock = time.process_time if a.clock == 'cpu' else time.perf_counter
    load = os.getloadavg()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), batch {a.batch}, {a.rounds} rounds, "
          f"{a.clock} clock, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    gemm, gemm_flops = gemm_step(a.gemm)
    onednn, _ = onednn_gemm_step(a.gemm)
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
            torch.manual_seed(0)
            steps[(grid, 'ViT, std. copies')] = train_step(
                with_standardize_out_of_place(ViT(patch_size=patch, standardize=std)), a.batch, fused)
        if a.compile:
            torch.manual_seed(0)
            step, _ = train_step(ViT(patch_size=patch, standardize=std), a.batch, fused, compiled=True)
            steps[(grid, 'ViT, compiled')] = step, steps[(grid, 'ViT')][1]   # the same model's FLOPs
    reps = {key: 2 if key[0] == '2x2' else 1 for key in steps}   # calls per round: a few hundred ms each
    for step, _ in steps.values(): step(); step()                 # warm up
    gemm(); gemm(); onednn(); onednn()
    gemm_t, onednn_t, times = [], [], {key: [] for key in steps}
    for _ in range(a.rounds):
        gemm_t.append(timed(gemm, 10, clock)); onednn_t.append(timed(onednn, 10, clock))
        for key, (step, _) in steps.items(): times[key].append(timed(step, reps[key], clock))
    peak, onednn_peak = [gemm_flops / t for t in gemm_t], [gemm_flops / t for t in onednn_t]
    best = [max(p, q) for p, q in zip(peak, onednn_peak)]   # the faster of the two, round by round
    for name, rates in (('MKL', peak), ('oneDNN', onednn_peak)):
        print(f"GEMM {a.gemm} x {a.gemm} fp32, {name}: {statistics.median(rates) / 1e9:.1f} GFLOP/s (median; rounds "
              f"{min(rates) / 1e9:.1f} to {max(rates) / 1e9:.1f})")
    print(f"\n{'grid':5} {'model':16} {'GFLOP/step':>10} {'ms/step':>8} {'GFLOP/s':>8} {'of MKL':>7} {'of best':>7} "
          f"{'x timm':>7}")
    rows = []
    for (grid, name), ts in times.items():
        flops = steps[(grid, name)][1]
        share = statistics.median(flops / t / p for t, p in zip(ts, peak))
        share_best = statistics.median(flops / t / p for t, p in zip(ts, best))
        ref = times.get((grid, 'timm ViT'))
        vs_timm = statistics.median(r / t for r, t in zip(ref, ts)) if ref else None
        rows.append(dict(grid=grid, model=name, gflop_per_step=flops / 1e9, ms_per_step=statistics.median(ts) * 1e3,
                         gflops=flops / statistics.median(ts) / 1e9, share_of_gemm=share, share_of_best=share_best,
                         x_timm=vs_timm))
        print(f"{grid:5} {name:16} {flops / 1e9:10.3f} {statistics.median(ts) * 1e3:8.1f} {flops / statistics.median(ts) / 1e9:8.1f}"
              f" {share:7.1%} {share_best:7.1%} {'' if vs_timm is None else f'{vs_timm:7.2f}'}")
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    parts = {}
    if a.breakdown:
        for grid in GRIDS:
            parts[grid] = bd = breakdown(steps[(grid, 'ViT')][0])
            total = sum(ms for ms, _ in bd.values())
            print(f"ViT at {grid}, profiled ({total:.1f} ms of operators per step): " + '; '.join(
                f"{kind} {ms:.1f} ms ({ms / total:.0%}" + (f", {gf / ms * 1e3:.1f} GFLOP/s)" if gf else ')')
                for kind, (ms, gf) in bd.items()))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(dict(torch=torch.__version__, threads=a.threads, batch=a.batch, rounds=a.rounds,
                                          clock=a.clock, fused_adamw=fused, load_before=load, load_after=os.getloadavg(),
                                          gemm_n=a.gemm, gemm_gflops=statistics.median(peak) / 1e9,
                                          onednn_gflops=statistics.median(onednn_peak) / 1e9,
                                          rows=rows, breakdown=parts), indent=1))


if __name__ == '__main__': main()
