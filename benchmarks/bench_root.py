"""Peak memory of converting a real-size HcalAnalyzer ROOT file (2000 lumisections x 7 depths, TH3I).

    python benchmarks/bench_root.py

Writes one file of the analyzer's layout (7 TH3I of 2001 x 64 x 72 bins, as the analyzer books them but with
room for lumisection 2000, and an events tree of 500 events per lumisection), then converts it in fresh
processes, each reporting its peak resident memory (VmHWM) above the peak after imports. The unit is one
depth as float64: 2000 x 64 x 72 x 8 B = 70.3 MiB. The target: a conversion holds no more than about two
copies of one depth. For comparison, the plain uproot way (`values()` of each depth, summed) is measured too.
"""
import subprocess, sys, tempfile, time

CHILD = """
import sys, time
def hwm():  # peak resident memory of this process, MiB
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
import numpy as np, torch, uproot
from hcal_ml4dqm.root import convert_hcal_root
path, out, mode = sys.argv[1:4]
base = hwm()
t0 = time.perf_counter()
if mode == 'plain-uproot':   # for comparison: values() of every depth, summed (uproot's object cache on, as by default)
    with uproot.open(path) as f:
        maps = sum(f[f'Hcal4DQMAnalyzer/hist3D_depth{d}'].values().astype(np.float64) for d in range(1, 8))
    shape = maps.shape
else:
    depth, per_event = mode.split(':')
    npy, r = convert_hcal_root(path, out, depth if depth == 'sum' else int(depth), per_event == 'perevent')
    shape = r.maps.shape
seconds = time.perf_counter() - t0
one_depth = 2000 * 64 * 72 * 8 / 2**20
extra = hwm() - base
print(f"{mode:>16}: maps {shape}, {seconds:5.1f} s, peak RSS +{extra:6.1f} MiB = {extra / one_depth:.2f} x one depth (70.3 MiB)")
"""

def main():
    import numpy as np
    from hcal_ml4dqm.root import write_hcal_root
    from hcal_ml4dqm.synth import active_mask
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        rng = np.random.default_rng(0)
        mask = active_mask()
        maps = {d: (rng.poisson(200, size=(2000, 64, 72)) * mask).astype(np.int32) for d in range(1, 8)}
        path = write_hcal_root(f'{tmp}/Run355456__bench.root', maps, events=np.full(2000, 500), n_bins=2001)
        del maps
        size = path.stat().st_size / 2**20
        print(f"wrote {path.name}: 2000 lumisections x 7 depths, 1,000,000 events, {size:.1f} MiB, in {time.perf_counter() - t0:.1f} s")
        for mode in ('sum:raw', '1:raw', 'sum:perevent', 'plain-uproot'):
            subprocess.run([sys.executable, '-c', CHILD, str(path), f'{tmp}/out', mode], check=True)

if __name__ == '__main__': main()
