"""Run notebooks at full size and save their outputs, as the documentation shows them.

`nbdev-test` runs every notebook with IN_TEST set, on small data, and keeps no output. The outputs saved in the
notebooks (and rendered on the documentation site) come from running them without IN_TEST, at the sizes the
chapters state (the synthetic default's 2 x 10000 maps, 3 epochs, ...). This script does that, one notebook at
a time in a fresh kernel, from the notebook's directory, and writes the outputs back; run `nbdev-clean` after it.

    python tools/run_nbs.py nbs/04_train.ipynb nbs/05b_study.ipynb   # those notebooks
    python tools/run_nbs.py                                          # every notebook in nbs/

Torch uses one CPU thread unless `--threads` says otherwise, as the command line does.
"""
import argparse, os, sys, time
from pathlib import Path

from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path):
    "Execute `path` in a fresh shell, in its own directory, and save it with its outputs; raise on the first failing cell."
    nb = read_nb(path)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        CaptureShell().run_all(nb, exc_stop=True)
    finally: os.chdir(cwd)
    write_nb(nb, path)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: every notebook in nbs/)')
    p.add_argument('--threads', type=int, default=1, help="torch CPU threads (default 1, as `hcal-ml4dqm run`: these models are small, and on a busy machine more threads are slower)")
    a = p.parse_args()
    os.environ.pop('IN_TEST', None)
    import torch
    torch.set_num_threads(a.threads)
    paths = a.notebooks or sorted((ROOT / 'nbs').glob('[!_.]*.ipynb'))
    for path in paths:
        t0 = time.perf_counter()
        try: run(path.resolve())
        except Exception as e: sys.exit(f"{path}: failed: {type(e).__name__}: {e}")
        print(f"{path}: {time.perf_counter() - t0:.0f} s", flush=True)
