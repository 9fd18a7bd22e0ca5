"""Scoring throughput of the monitor's masked-patch detector (`MaskedPatchDetector.signed_scores`), and that its scores
are those of the reference path (every mask group's pass over the whole batch, `predict_masked`, stitched).

    python benchmarks/bench_score.py                  # 4096 maps of the synthetic default, 1 and 2 threads, 3 rounds
    python benchmarks/bench_score.py --n-maps 8192 --threads 1 2 --rounds 5

The detector has the monitor's default configuration (ViT backbone, 8 x 8 patches, depth 1, embed 32) and the
channels active in the maps; its weights are random from a fixed seed (the time does not depend on them) and its
noise model the neutral default. Per thread count, the new path and the reference take turns for `--rounds` rounds in
this one process; it prints maps per wall-second and per CPU-second (this process's CPU time, all threads) of each, the
ratio within the rounds, the load average, and the largest difference of the scores relative to the largest |z|.
Then, as `monitor score` scores (`monitor.run_z`: blocks of 256 maps side by side, one per core, each on one torch
thread), against blocks of 2048 one after another on one torch thread (`monitor score` before, at its default
`--threads 1`) and with one torch thread per core, alternating in the same rounds.
`--onnx` also exports the detector as the monitor's ONNX graph (`monitor.MonitorGraph`: |z| out) and times an ONNX
Runtime session with as many intra-op threads, on the same maps in chunks of 2048, beside the PyTorch rate.
"""
import argparse, os, statistics, time

import numpy as np
import torch

from hcal_ml4dqm.core import N_IPHI, default_jobs
from hcal_ml4dqm.detectors import active_cells
from hcal_ml4dqm.masked_vit import MaskedPatchDetector
from hcal_ml4dqm.monitor import run_z
from hcal_ml4dqm.synth import synthesize


def reference_predict(det, s):
    "The stitched reference: all mask groups in one batch through `predict_masked`, each patch from the pass that hid it."
    B, (G, T) = s.shape[0], det.group_onehot.shape
    hide = det.group_onehot[:, None, :].expand(G, B, T).reshape(G * B, T)
    pred = det.predict_masked(det.tokens(s).repeat(G, 1, 1), hide).view(G, B, T, -1)
    return (pred * det.group_onehot[:, None, :, None]).sum(0).reshape(B, -1)[:, det.cell_slot]


class Reference(MaskedPatchDetector):
    "The detector with the reference `predict`."
    def predict(self, s): return reference_predict(self, s)


def rate(score, n):
    "(maps per wall-second, maps per CPU-second of this process) of `score()`, which scores `n` maps."
    t0, c0 = time.perf_counter(), time.process_time()
    score()
    return n / (time.perf_counter() - t0), n / (time.process_time() - c0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n-maps', type=int, default=4096)
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--onnx', action='store_true', help='also time the exported graph in ONNX Runtime')
    a = ap.parse_args()
    maps = np.ascontiguousarray(synthesize(a.n_maps, 0)[355456], dtype=np.float32)
    rows, cols = active_cells(maps)
    torch.manual_seed(0)
    det = MaskedPatchDetector(cells=rows * N_IPHI + cols)
    det.fitted.fill_(True)
    ref = Reference(**det.config)
    ref.load_state_dict(det.state_dict())
    z, z_ref = det.signed_scores(maps[:512]), ref.signed_scores(maps[:512])
    print(f"{len(maps)} maps, {len(rows)} channels, torch {torch.__version__}; largest |z| difference from the reference "
          f"{np.abs(z - z_ref).max() / np.abs(z_ref).max():.1e} of the largest |z|")
    for n in a.threads:
        torch.set_num_threads(n)
        got = {'new': [], 'reference': []}
        load = os.getloadavg()[0]
        for _ in range(a.rounds):
            for name, d in (('new', det), ('reference', ref)):
                got[name].append(rate(lambda: d.signed_scores(maps), len(maps)))
        ratio = statistics.median(w / r for (w, _), (r, _) in zip(got['new'], got['reference']))
        for name, rs in got.items():
            print(f"{n} thread(s), load {load:.1f}: {name:9s} {statistics.median(r[0] for r in rs):8,.0f} maps/s wall, "
                  f"{statistics.median(r[1] for r in rs):8,.0f} maps per CPU-second")
        print(f"{n} thread(s): new / reference wall-clock rate x{ratio:.2f} (median of {a.rounds} rounds)")
    blocks_side_by_side(det, maps, a.rounds)
    if a.onnx: onnx_rates(det, maps, a.threads, a.rounds)


def blocks_side_by_side(det, maps, rounds):
    ("`monitor score`'s way (`monitor.run_z`: blocks of 256 maps side by side, one per core, each thread's operations "
     "on one torch thread) against blocks of 2048 one after another on one torch thread (`monitor score` before, at its "
     "default `--threads 1`) and on one torch thread per core; alternating in each round.")
    cores = default_jobs(10**6)
    ways = {f'run_z: blocks of 256, {cores} at once, 1 torch thread each': (1, lambda: run_z(det, maps, jobs=cores)),
            'blocks of 2048 one after another, 1 torch thread': (1, lambda: det.signed_scores(maps)),
            f'blocks of 2048 one after another, {cores} torch threads': (cores, lambda: det.signed_scores(maps))}
    torch.set_num_threads(1)
    z_one, z_side = det.signed_scores(maps), run_z(det, maps, jobs=cores)
    print(f"run_z: largest |z| difference from blocks of 2048 one after another "
          f"{np.abs(z_side - z_one).max() / np.abs(z_one).max():.1e} of the largest |z|")
    got, load = {name: [] for name in ways}, os.getloadavg()[0]
    for _ in range(rounds):
        for name, (threads, score) in ways.items():
            torch.set_num_threads(threads)
            got[name].append(rate(score, len(maps)))
    for name, rs in got.items():
        print(f"{name:58s} (load {load:.1f}): {statistics.median(r[0] for r in rs):8,.0f} maps/s wall, "
              f"{statistics.median(r[1] for r in rs):8,.0f} maps per CPU-second")
    new, *others = got.values()
    for name, rs in zip(list(got)[1:], others):
        print(f"run_z / {name}: wall-clock rate x{statistics.median(a[0] / b[0] for a, b in zip(new, rs)):.2f} "
              f"(median of {rounds} rounds)")


def onnx_rates(det, maps, threads, rounds):
    "Export the detector as the monitor's graph, check it against PyTorch, and time ONNX Runtime beside PyTorch."
    import tempfile
    from pathlib import Path
    from hcal_ml4dqm.deploy import onnx_session, write_onnx
    from hcal_ml4dqm.monitor import MonitorGraph
    occupancy = maps[:, None]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path, _ = write_onnx(MonitorGraph(det).eval(), torch.from_numpy(occupancy[:2]), Path(tmp) / 'monitor.onnx',
                             ['channel_scores', 'score'], {}, )
        print(f"exported in {time.perf_counter() - t0:.1f} s")
        for n in threads:
            torch.set_num_threads(n)
            session = onnx_session(path, threads=n)
            def run_ort(): return np.concatenate([session.run(['channel_scores'], {'occupancy': occupancy[i:i + 2048]})[0]
                                                  for i in range(0, len(maps), 2048)])
            z = run_ort()
            print(f"ONNX Runtime, largest |z| difference from PyTorch {np.abs(z - np.abs(det.signed_scores(maps))).max() / z.max():.1e} "
                  "of the largest |z|")
            got = {'ONNX Runtime': [], 'PyTorch': []}
            for _ in range(rounds):
                for name, f in (('ONNX Runtime', run_ort), ('PyTorch', lambda: det.signed_scores(maps))):
                    got[name].append(rate(f, len(maps)))
            for name, rs in got.items():
                print(f"{n} thread(s), load {os.getloadavg()[0]:.1f}: {name:12s} {statistics.median(r[0] for r in rs):8,.0f} maps/s wall, "
                      f"{statistics.median(r[1] for r in rs):8,.0f} maps per CPU-second")


if __name__ == '__main__': main()
