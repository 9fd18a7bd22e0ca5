"""Run notebooks at full size and save their outputs, as the documentation shows them.

`nbdev-test` runs every notebook with IN_TEST set, on small data, and keeps no output. The saved outputs (on the
docs site) come from running them without IN_TEST, at the sizes the chapters state: each notebook in a fresh kernel,
from its directory, outputs written back (run `nbdev-clean` after). Torch uses one CPU thread unless `--threads` says
otherwise, as the command line does. Figures: plain PNGs at `plots.FIG_DPI`, reduced to 256 colours (`plots.lighten_png`).

    python tools/run_nbs.py nbs/04_train.ipynb nbs/05b_study.ipynb   # those notebooks (default: every notebook in nbs/)
"""
import argparse, base64, contextlib, os, sys, time
from pathlib import Path

from execnb.shell import CaptureShell
from fastcore.nbio import read_nb, write_nb

from hcal_ml4dqm.plots import lighten_png

def lighten(nb):
    "Every PNG output of `nb` made lighter by `plots.lighten_png` (256 colours where that is smaller); the bytes saved."
    saved = 0
    for data in (out.get('data', {}) for cell in nb['cells'] for out in cell.get('outputs', [])):
        if 'image/png' not in data: continue
        old = base64.b64decode(''.join(data['image/png']))   # a string, or a list of lines
        data['image/png'] = base64.b64encode(new := lighten_png(old)).decode(); saved += len(old) - len(new)
    return saved

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
        try:   # plain PNGs: execnb's default (retina) doubles the resolution, four times the pixels
            with contextlib.chdir(path.resolve().parent): CaptureShell(mpl_format='png').run_all(nb, exc_stop=True)
        except Exception as e: sys.exit(f'{path}: failed: {type(e).__name__}: {e}')
        saved = lighten(nb)
        write_nb(nb, path)
        print(f'{path}: {time.perf_counter() - t0:.0f} s (figures {saved / 1e6:.2f} MB lighter)', flush=True)
