"""Inference speed of the exported models on CPU: ONNX Runtime against PyTorch eager, one thread each.

    python benchmarks/bench_onnx.py                           # 7 interleaved rounds, wall clock
    python benchmarks/bench_onnx.py --clock cpu --rounds 11   # on a busy shared machine: CPU time of this process

For the ViT and the MoE-ViT of the study's size (dense, both of 2 experts; sparse, top-1 of 2 and of 4), with
random weights from a fixed seed, it times two ways of getting class probabilities from raw occupancy maps that
do the same work (log1p, the model, softmax):
- `torch`: PyTorch eager, `deploy.OccupancyClassifier` around the model (a sparse MoE runs its sparse dispatch);
- `ORT`: an ONNX Runtime CPU session of the same model exported by `deploy.export_onnx`, with
  intra_op_num_threads=1 and inter_op_num_threads=1 (a sparse MoE runs every expert with zero gates for the
  unchosen ones, the export's formulation).
Single map: the mean time of `--single` calls of one map each (ms), as HcalMLTask calls its model once per
lumisection. Batch: maps/s over `--batch-calls` calls of `--batch` maps. The two ways take turns within each
round, round after round; each ratio is taken within a round and the table shows medians over the rounds. With
`--clock cpu` the time is this process's CPU time (`time.process_time`), which on a machine kept busy by other jobs
is what the inference itself costs. The weights set the work of the dense models exactly; for a sparse MoE the
router's split of the tokens over the experts changes the sparse dispatch's work a little.
"""
import argparse, platform, statistics, tempfile, time
from pathlib import Path

import numpy as np
import torch

from hcal_ml4dqm.deploy import INPUT_NAME, OUTPUT_NAME, OccupancyClassifier, export_onnx, onnx_session
from hcal_ml4dqm.synth import synthesize
from hcal_ml4dqm.train import build_model

MODELS = {'ViT': ('ViT', {}), 'MoE-ViT (dense, 2 experts)': ('MoEViT', {}),
          'MoE-ViT top-1 of 2': ('MoEViT', dict(top_k=1)), 'MoE-ViT top-1 of 4': ('MoEViT', dict(num_experts=4, top_k=1))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rounds', type=int, default=7)
    ap.add_argument('--batch', type=int, default=256, help='maps per call in the throughput test')
    ap.add_argument('--batch-calls', type=int, default=4, help='calls of a full batch per round')
    ap.add_argument('--single', type=int, default=100, help='calls of one map per round')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--clock', choices=('wall', 'cpu'), default='wall')
    ap.add_argument('--models', nargs='*', default=list(MODELS), choices=list(MODELS))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    clock = time.perf_counter if a.clock == 'wall' else time.process_time
    maps = np.concatenate(list(synthesize(max(a.batch, a.single), seed=0).values())).astype(np.float32)
    batch = np.ascontiguousarray(maps[:a.batch, None])
    singles = [np.ascontiguousarray(maps[i:i + 1, None]) for i in range(a.single)]
    import onnxruntime
    print(f'# {platform.machine()} {platform.processor()}, torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, '
          f'{a.threads} thread(s), {a.clock} clock, {a.rounds} rounds of {a.single} single-map calls and {a.batch_calls} calls of {a.batch} maps')
    tmp = Path(tempfile.mkdtemp(prefix='bench_onnx_'))
    rows = []
    for name in a.models:
        cls, config = MODELS[name]
        model = build_model(cls, seed=0, **config).eval()
        session = onnx_session(export_onnx(model, tmp / 'model.onnx', labels=[0, 1]).onnx, threads=a.threads)
        clf = OccupancyClassifier(model).eval()
        ways = {'torch': lambda x: clf(torch.from_numpy(x)).numpy(), 'ORT': lambda x: session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]}
        latency, throughput = {k: [] for k in ways}, {k: [] for k in ways}
        with torch.inference_mode():
            diff = float(np.abs(ways['torch'](batch) - ways['ORT'](batch)).max())
            for f in ways.values(): f(batch); f(singles[0])   # warm-up
            for _ in range(a.rounds):
                for k, f in ways.items():
                    t0 = clock()
                    for x in singles: f(x)
                    latency[k].append((clock() - t0) / len(singles) * 1e3)
                    t0 = clock()
                    for _ in range(a.batch_calls): f(batch)
                    throughput[k].append(a.batch_calls * len(batch) / (clock() - t0))
        med = statistics.median
        rows.append((name, med(latency['torch']), med(latency['ORT']), med([t / o for t, o in zip(latency['torch'], latency['ORT'])]),
                     med(throughput['torch']), med(throughput['ORT']), med([o / t for t, o in zip(throughput['torch'], throughput['ORT'])]), diff))
        print(f'# {name} done', flush=True)
    print(f'\n| model | one map, torch (ms) | one map, ORT (ms) | ORT speed-up | batch {a.batch}, torch (maps/s) | '
          f'batch {a.batch}, ORT (maps/s) | ORT / torch | max abs diff of p |')
    print('|:--|--:|--:|--:|--:|--:|--:|--:|')
    for name, lt, lo, ls, tt, to, ts, d in rows:
        print(f'| {name} | {lt:.3f} | {lo:.3f} | {ls:.1f}x | {tt:,.0f} | {to:,.0f} | {ts:.2f}x | {d:.1e} |')


if __name__ == '__main__':
    main()
