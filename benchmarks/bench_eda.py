"""Peak memory and time of `hcal-ml4dqm eda` on two real-size files (2 x 10000 maps of float64, 2 x 351.6 MiB).

    python benchmarks/eda_memory.py            # writes the synthetic default into a temporary directory
    python benchmarks/eda_memory.py DATA_DIR   # or measures on the runs in DATA_DIR

Each measurement runs in a fresh interpreter that reports its own peak resident set size (VmHWM), so the
import cost (numpy, torch, matplotlib) is measured separately from the EDA itself. The resident size counts the
pages of the memory-mapped file being read; the target is well under 1 GB for the whole command.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import sys, time
t0, c0 = time.time(), time.process_time()
import hcal_ml4dqm.eda
from hcal_ml4dqm.cli import main
if sys.argv[1] == 'eda': code = main(['eda', sys.argv[2], '--out', sys.argv[3]])
else: code = 0
hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024   # peak RSS, MiB
print(f"RESULT {code} {hwm:.1f} {time.time() - t0:.2f} {time.process_time() - c0:.2f}")
"""

def measure(*args):
    "(exit code, peak RSS in MiB, wall s, CPU s) of one fresh interpreter."
    out = subprocess.run([sys.executable, '-c', CHILD, *map(str, args)], capture_output=True, text=True, check=True).stdout
    code, rss, wall, cpu = out.strip().splitlines()[-1].split()[1:]
    return int(code), float(rss), float(wall), float(cpu)

def main():
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1: data = Path(sys.argv[1])
        else:
            from hcal_ml4dqm.synth import write_synthetic
            data = Path(tmp) / 'data'; write_synthetic(data, 10000)
        size = sum(p.stat().st_size for p in data.glob('Run*_Dataset*.npy')) / 2**20
        _, base, base_wall, base_cpu = measure('import')
        code, peak, wall, cpu = measure('eda', data, Path(tmp) / 'eda')
    assert code == 0, f"hcal-ml4dqm eda exited with {code}"
    print(f"data: {size:.1f} MiB of run files in {data}")
    print(f"imports only:      peak RSS {base:7.1f} MiB, {base_wall:.1f} s wall, {base_cpu:.1f} s CPU")
    print(f"hcal-ml4dqm eda:   peak RSS {peak:7.1f} MiB, {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"EDA above imports: {peak - base:.1f} MiB = {(peak - base) / size:.2f} x the data size; "
          f"peak / 1 GiB target = {peak / 1024:.2f}")

if __name__ == '__main__': main()
