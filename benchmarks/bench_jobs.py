"""Two models trained one after another, or side by side: what `hcal-ml4dqm run --jobs` is worth on this machine.

    python benchmarks/bench_jobs.py [--steps 40] [--rounds 3] [--grid 2x2|8x9]

The study's ViT and MoE-ViT (the default recipe's input standardisation and batch), each for `--steps` training steps
(forward, loss, backward, fused AdamW), three ways, in interleaved rounds in one process:
- one after another, one torch thread (`--jobs 1`, the CLI's `--threads 1`);
- one after another, two torch threads (each operation split over two cores);
- side by side, each in a thread of its own (`core.in_threads`), one torch thread (the CLI's default on 2 cores).
Prints the wall time of each way per round, the median, and the speed-up over the first, taken round by round.
"""
import argparse, statistics, sys, time
from functools import partial
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from bench_roofline import GRIDS, train_step  # noqa: E402  (the grids, and the training step the roofline times)

from hcal_ml4dqm.core import in_threads  # noqa: E402
from hcal_ml4dqm.moe import MoEViT  # noqa: E402
from hcal_ml4dqm.train import RECIPES  # noqa: E402
from hcal_ml4dqm.vit import ViT  # noqa: E402


def steps(grid, batch):
    "A training step of each model, on fixed occupancy-like maps, as `bench_roofline.py` times it."
    std, out = RECIPES['default'].model['standardize'], []
    for cls in (ViT, MoEViT):
        torch.manual_seed(0)
        out.append(train_step(cls(patch_size=GRIDS[grid], standardize=std), batch, fused=True)[0])
    return out


def run(step, n):
    for _ in range(n): step()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=40, help='training steps of each model per round')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--grid', choices=list(GRIDS), default='2x2')
    ap.add_argument('--batch', type=int, default=RECIPES['default'].hparams['ViT']['batch_size'])
    a = ap.parse_args()
    models = steps(a.grid, a.batch)
    for s in models: s(); s()   # warm up

    def after(threads):
        torch.set_num_threads(threads)
        for s in models: run(s, a.steps)
        torch.set_num_threads(1)

    def side_by_side():
        in_threads({k: partial(run, s, a.steps) for k, s in enumerate(models)}, jobs=2)

    ways = {'one after another, 1 thread': partial(after, 1), 'one after another, 2 threads': partial(after, 2),
            'side by side, 1 thread each': side_by_side}
    torch.set_num_threads(1)
    times = {k: [] for k in ways}
    for r in range(a.rounds):
        for k, way in ways.items():
            t0 = time.perf_counter(); way(); times[k].append(time.perf_counter() - t0)
        print(f"round {r + 1}: " + ', '.join(f'{k} {ts[-1]:.2f} s' for k, ts in times.items()))
    ref = times['one after another, 1 thread']
    print(f"\nViT and MoE-ViT at {a.grid}, {a.steps} steps each of {a.batch} maps, {a.rounds} rounds (torch "
          f"{torch.__version__}):")
    for k, ts in times.items():
        print(f"  {k:30} {statistics.median(ts):6.2f} s (median), "
              f"x{statistics.median(r / t for r, t in zip(ref, ts)):.2f} against one after another, 1 thread")


if __name__ == '__main__': main()
