"""Prediction throughput of `predict.predict_maps`, as `hcal-ml4dqm predict` calls it: chunks predicted side by side,
one per core, against one chunk after another, with a PyTorch checkpoint and with its ONNX export.

    python benchmarks/bench_predict.py                        # 8192 maps, the study's ViT (2 x 2 grid), 5 rounds
    python benchmarks/bench_predict.py --patch 8 8 --n-maps 4096 --rounds 3

The model is the study's ViT with the default recipe's standardisation (random weights from a fixed seed: the time does
not depend on them), wrapped as `predict` runs it (`deploy.OccupancyClassifier`: log1p, model, softmax), and its ONNX
export in an ONNX Runtime session of one intra-op thread (CMSSW's default, and `predict`'s `--threads 1`); torch runs
on one thread too. The maps are a float64 `.npy` of the synthetic default read through its memory map (`load_run`), as
`predict` reads a run. In each of `--rounds` rounds every way takes its turn; it prints maps per wall-second and per
CPU-second of this process (all threads), the ratio to one chunk after another within the rounds (median), the load
average, and the largest difference of the probabilities between the two ways (0: the same numbers).
"""
import argparse, os, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch

from hcal_ml4dqm.core import default_jobs
from hcal_ml4dqm.data import load_run
from hcal_ml4dqm.deploy import OccupancyClassifier, export_onnx, onnx_session
from hcal_ml4dqm.predict import predict_maps
from hcal_ml4dqm.synth import synthesize
from hcal_ml4dqm.train import RECIPES
from hcal_ml4dqm.vit import ViT

sys.path.insert(0, str(Path(__file__).parent))
from bench_score import rate  # noqa: E402  (maps per wall- and CPU-second of one call)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n-maps', type=int, default=8192)
    ap.add_argument('--patch', type=int, nargs=2, default=(32, 36), help='patch size (default 32 36: the 2 x 2 grid)')
    ap.add_argument('--rounds', type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    std = RECIPES['default'].model['standardize']
    model = ViT(patch_size=tuple(a.patch), standardize=std)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / 'Run355456_Dataset.npy'
        raw = synthesize(a.n_maps, 0)[355456]
        model.standardize.fit(torch.log1p(torch.from_numpy(raw).float()[:, None]))
        np.save(run, raw)
        del raw
        maps = load_run(run)
        clf = OccupancyClassifier(model).eval()
        session = onnx_session(export_onnx(clf.model, Path(tmp) / 'vit.onnx', labels=[355456, 357479]).onnx, 1)
        jobs = default_jobs(-(-a.n_maps // 256))
        ways = {(name, j): (lambda m=m, j=j: predict_maps(m, maps, jobs=j))
                for name, m in (('PyTorch', clf), ('ONNX Runtime', session)) for j in (1, jobs)}
        diff = {name: float(np.abs(ways[(name, jobs)]() - ways[(name, 1)]()).max()) for name in ('PyTorch', 'ONNX Runtime')}
        load = os.getloadavg()
        wall, cpu = {w: [] for w in ways}, {w: [] for w in ways}
        for _ in range(a.rounds):
            for w, f in ways.items():
                r = rate(f, a.n_maps)
                wall[w].append(r[0]); cpu[w].append(r[1])
        del maps
    print(f"torch {torch.__version__}, {a.n_maps} maps, patch {tuple(a.patch)}, {a.rounds} rounds, {jobs} cores, "
          f"load average {load[0]:.2f} -> {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print(f"{'model':13} {'chunks at once':>14} {'maps/s':>8} {'per CPU-s':>9} {'x one at a time':>15} {'max |dp|':>9}")
    for (name, j) in ways:
        ratio = statistics.median(x / y for x, y in zip(wall[(name, j)], wall[(name, 1)]))
        print(f"{name:13} {j:14d} {statistics.median(wall[(name, j)]):8,.0f} {statistics.median(cpu[(name, j)]):9,.0f} "
              f"{ratio:15.2f} {diff[name] if j > 1 else 0:9.1e}")


if __name__ == '__main__':
    main()
