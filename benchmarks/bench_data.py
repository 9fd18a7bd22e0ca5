"""Peak memory of preprocessing two real-size runs (2 x 10000 float64 maps, 2 x 351.6 MiB on disk).

    python benchmarks/bench_data.py

The load runs in a fresh process that reports its peak resident memory (VmHWM), so that
the float32 result (2 x 10000 x 64 x 72 x 4 B = 351.6 MiB) can be compared with what a float64 copy of
both files would cost (703.1 MiB on top).
"""
import subprocess, sys, tempfile, time

CHILD = """
import sys, time
def hwm():  # peak resident memory of this process, MiB
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
import torch, numpy as np
from hcal_ml4dqm.data import load_dataset
base = hwm()
t1 = time.perf_counter()
ds = load_dataset(sys.argv[1])
t2 = time.perf_counter()
peak = hwm()
print(f"{len(ds)} maps -> x {tuple(ds.x.shape)} {ds.x.dtype} ({ds.x.numel() * 4 / 2**20:.1f} MiB)")
print(f"peak RSS after imports: {base:.0f} MiB; after load_dataset: {peak:.0f} MiB "
      f"(+{peak - base:.0f} MiB for a {ds.x.numel() * 4 / 2**20:.0f} MiB result); load_dataset took {t2 - t1:.2f} s")
"""

def main():
    from hcal_ml4dqm.synth import write_synthetic
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = write_synthetic(tmp, n_lumisections=10000, seed=0)
        print(f"wrote {len(paths)} real-size files in {time.perf_counter() - t0:.1f} s")
        subprocess.run([sys.executable, '-c', CHILD, tmp], check=True)

if __name__ == '__main__': main()
