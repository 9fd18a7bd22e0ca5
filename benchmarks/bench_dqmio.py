"""Speed and peak memory of converting a per-lumisection DQMIO file that also holds other MEs.

    pip install root          # ROOT itself (PyROOT) writes the DQMIO file, as CMSSW would
    OMP_NUM_THREADS=1 python benchmarks/bench_dqmio.py [n_lumisections]   # default 1000

Writes one DQMIO file (DQMRootOutputModule's layout, with the fixtures' writer `nbs/fixtures/dqmio/make_fixtures.py`)
of one run: per lumisection the 7 `Hcal/DigiTask/Occupancy/depth/depth<d>` TH2Fs with a hit count in every HB/HE
channel, the 7 `OccupancyCut` ones, `depthHO`, 8 other TH2Fs of the same size, a TH1F and the events counter. Then it
converts it in fresh processes (`convert_dqmio`, one core) and prints lumisections (x 7 depths) per CPU second (target >= 100)
and the peak resident memory above the peak after imports, beside the output pages one chunk (256 maps of 64 x 72,
float64) touches and the size of the whole run: memory stays bounded by a chunk, not by the run.
"""
import importlib.util, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = """
import sys, time
def hwm():  # peak resident memory of this process, MiB
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
import numpy as np, uproot
from hcal_ml4dqm.dqmio import convert_dqmio
path, out, depth = sys.argv[1], sys.argv[2], sys.argv[3]
base = hwm()
t0 = time.process_time(); w0 = time.perf_counter()
(npy, meta), = convert_dqmio([path], out, depth=depth if depth in ('sum', 'all') else int(depth))
cpu, wall = time.process_time() - t0, time.perf_counter() - w0
n = len(meta['lumisections'])
chunk = 256 * 64 * 72 * 8 / 2**20   # the output pages one chunk (256 maps of 64 x 72) touches, MiB
run = n * int(np.prod(meta['shape'][1:])) * 8 / 2**20
print(f"depth {depth:>3}: {n} lumisections, maps {tuple(meta['shape'])}, {wall:5.1f} s wall, {cpu:5.1f} s CPU: "
      f"{n / cpu:5.0f} lumisections/s = {n * len(meta['depths']) / cpu:5.0f} depth maps/s; peak RSS +{hwm() - base:5.1f} MiB "
      f"(one chunk of 256 maps: {chunk:.1f} MiB, the whole run: {run:.1f} MiB)")
"""

def main():
    import numpy as np
    n_ls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    spec = importlib.util.spec_from_file_location('make_fixtures', Path(__file__).parents[1] / 'nbs/fixtures/dqmio/make_fixtures.py')
    fx = importlib.util.module_from_spec(spec); spec.loader.exec_module(fx)
    import ROOT
    rng = np.random.default_rng(0)
    hbhe = np.zeros((86, 74), bool)
    for ieta in list(range(-29, 0)) + list(range(1, 30)): hbhe[fx.dqm_ieta_value(ieta, False) + 1, 1:73] = True
    def dense(name):
        h = ROOT.TH2F(name.split('/')[-1], '', 84, 0.0, 84.0, 72, 0.5, 72.5)
        h.SetContent(np.ascontiguousarray((rng.poisson(300, (86, 74)) * hbhe).T.ravel(), dtype=np.float64))   # ROOT: x fastest
        return h
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'dqmio_bench.root'
        t0 = time.perf_counter()
        w = fx.DQMIOWriter(path)
        for lumi in rng.permutation(np.arange(1, n_ls + 1)).tolist():   # lumisections out of order
            mes = [('TH2Fs', f'{fx.OCC}{d}', dense(f'{fx.OCC}{d}')) for d in range(1, 8)]
            mes += [('TH2Fs', f'{fx.CUT}{d}', dense(f'{fx.CUT}{d}')) for d in range(1, 8)]
            mes += [('TH2Fs', f'{fx.OCC}HO', dense(f'{fx.OCC}HO'))]
            mes += [('TH2Fs', f'Hcal/DigiTask/Other/map{k}', dense(f'map{k}')) for k in range(8)]
            mes += [('TH1Fs', 'Hcal/DigiTask/ADC/SubdetPM/HBM', ROOT.TH1F('HBM', '', 10, 0, 10)), ('Ints', fx.EVENTS, 1000)]
            w.lumi(360000, lumi, mes)
        w.close()
        print(f"wrote {path.name}: 1 run, {n_ls} lumisections x 23 TH2F (7 of them read), {path.stat().st_size / 2**20:.1f} MiB, "
              f"in {time.perf_counter() - t0:.0f} s")
        for depth in ('sum', 'all', '1'):
            subprocess.run([sys.executable, '-c', CHILD, str(path), f'{tmp}/out', depth], check=True)

if __name__ == '__main__': main()
