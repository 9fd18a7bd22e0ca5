"""Run notebooks at full size and save their outputs, as the documentation shows them.

`nbdev-test` runs every notebook with IN_TEST set, on small data, and keeps no output. The outputs saved in the
notebooks (and rendered on the documentation site) come from running them without IN_TEST, at the sizes the chapters
state. This runs each notebook in a fresh kernel, from its directory, and writes the outputs back (figures as plain
PNGs at the resolution `hcal_ml4dqm.plots` sets); run `nbdev-clean` after.

    python tools/run_nbs.py nbs/04_train.ipynb nbs/05b_study.ipynb   # those notebooks (default: every notebook in nbs/)

Torch uses one CPU thread unless `--threads` says otherwise, as the command line does.
"""
import argparse, contextlib, os, sys, time
from pathlib import Path

from execnb.shell import CaptureShell
from fastcore.nbio import read_nb, write_nb

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: every notebook in nbs/)')
    p.add_argument('--threads', type=int, default=1, help='torch CPU threads (default 1, as `hcal-ml4dqm run`)')
    a = p.parse_args()
    os.environ.pop('IN_TEST', None)
    import torch
    torch.set_num_threads(a.threads)
    for path in a.notebooks or sorted((Path(__file__).resolve().parent.parent / 'nbs').glob('[!_.]*.ipynb')):
        t0, nb = time.perf_counter(), read_nb(path)
        try:
            # plain PNGs at `plots.FIG_DPI` (execnb's default, retina, doubles it: four times the pixels)
            with contextlib.chdir(path.resolve().parent): CaptureShell(mpl_format='png').run_all(nb, exc_stop=True)
        except Exception as e: sys.exit(f'{path}: failed: {type(e).__name__}: {e}')
        write_nb(nb, path)
        print(f'{path}: {time.perf_counter() - t0:.0f} s', flush=True)
