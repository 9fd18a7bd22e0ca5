"""Time the default `hcal-ml4dqm run` stage by stage, and measure its peak memory.

Two cases, each in a fresh Python process (so that its peak resident memory is its own):
  default  `hcal-ml4dqm run` with no data dir: synthesizes 2 x 10000 maps, EDA, ViT + MoE-ViT (default recipe), attention;
  files    `hcal-ml4dqm run --data-dir D` on two real-size float64 files (10000 x 64 x 72 each, 351.6 MiB),
           written first by `write_synthetic`.
Targets (issue 5, on the project's 2-core CPU): default under 60 s; files peak memory under 1.5 GB. Issue 23's: the default
run under 40 s and 1.2 GB, with 0 of 4,000 validation maps misclassified by either transformer (printed for every model).
Timings on a shared machine are noisy: run it when the machine is quiet, or read them as upper bounds; the CPU time
of each case (user + system) is printed too, which other jobs disturb far less. The run trains its models side by side
in threads and saves its figures in forked processes: the peak memory is the main process's and the largest sum of the
PSS of it and its children (`--jobs 1`: one after another, all in the main process).

  python benchmarks/bench_run.py [--recipe default|study] [--n-lumisections 10000] [--cases default files] [--jobs N]
"""
import argparse, json, os, resource, subprocess, sys, tempfile, threading, time
from pathlib import Path

def _peak_rss():
    "This process's peak resident memory in bytes: VmHWM on Linux (ru_maxrss can carry a parent's peak across exec)."
    status = Path('/proc/self/status')
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith('VmHWM:'): return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == 'darwin' else 1024)

def _time_savefig():
    "Time every `Figure.savefig` of this process (every figure the run writes); returns the list of seconds."
    from matplotlib.figure import Figure
    spent, savefig = [], Figure.savefig
    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        try: return savefig(self, *args, **kwargs)
        finally: spent.append(time.perf_counter() - t0)
    Figure.savefig = timed
    return spent

def _pss(pid):
    "Proportional set size of a process in bytes (its shared pages divided among their sharers), 0 if it is gone."
    try: text = Path(f'/proc/{pid}/smaps_rollup').read_text()
    except OSError: return 0
    return next((int(line.split()[1]) * 1024 for line in text.splitlines() if line.startswith('Pss:')), 0)

def _children(pid):
    return [int(p.name) for p in Path('/proc').iterdir() if p.name.isdigit() and _ppid(p) == pid]

def _ppid(p):
    try: return int((p / 'stat').read_text().rsplit(')', 1)[1].split()[1])
    except (OSError, IndexError, ValueError): return None

def _sample_tree_pss(peak, stop, every=0.05):
    "Until `stop` is set, every `every` s: the PSS of this process plus its children's; `peak[0]` keeps the largest sum."
    me = os.getpid()
    while not stop.wait(every):
        before = _children(me)
        total = _pss(me) + sum(_pss(c) for c in before)
        # a process forked while this was read makes the sum count its pages twice: such a sample is dropped
        if _children(me) == before: peak[0] = max(peak[0], total)

def child(argv):
    "Run the CLI in this process; print its stage timings, the time spent saving figures and the peak memory as JSON."
    t0 = time.perf_counter()
    from hcal_ml4dqm.cli import main
    t_import = time.perf_counter() - t0
    figures = _time_savefig()
    tree_peak, stop = [0], threading.Event()
    if Path('/proc/self/smaps_rollup').exists():   # forked processes share the parent's pages: count each page once
        threading.Thread(target=_sample_tree_pss, args=(tree_peak, stop), daemon=True).start()
    t0 = time.perf_counter()
    code = main(argv)
    t_main = time.perf_counter() - t0
    stop.set()
    out = Path(argv[argv.index('--out') + 1])
    metrics = json.loads((out / 'metrics.json').read_text()) if code == 0 else {}
    errors = {f"{name} ({r['split']} split, seed {r['seed']}, {s})": (m['n_errors'], m['n'])   # misclassified maps of each model
              for r in metrics.get('runs', []) for s, ms in r['eval'].items() for name, m in ms.items()}
    peak = _peak_rss()
    print(json.dumps(dict(code=code, import_s=t_import, main_s=t_main, timings=metrics.get('timings', {}), errors=errors,
                          peak_bytes=peak, tree_pss_bytes=tree_peak[0], figures=len(figures), figures_s=sum(figures))))

def _children_cpu():
    "CPU seconds (user + system) of this process's finished children."
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def case(name, argv):
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run([sys.executable, __file__, '--child', *argv], capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0 or not proc.stdout.strip():
        sys.exit(f'{name}: failed\n{proc.stderr[-3000:]}')
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    stages = ', '.join(f'{k} {v:.1f} s' for k, v in res['timings'].items() if k != 'total')
    setup = res['main_s'] - res['timings']['total']
    print(f"{name:8s} wall {wall:6.1f} s = Python start and exit {wall - res['import_s'] - res['main_s']:.1f} s + import cli {res['import_s']:.1f} s"
          f" + the command's imports {setup:.1f} s + run_study {res['timings']['total']:.1f} s ({stages})")
    print(f"{'':8s} CPU time (user + system, all threads) {cpu:.1f} s: on a machine that other jobs keep busy, the wall time minus the waiting")
    print(f"{'':8s} figures: {res['figures']} saved by the main process (matplotlib's savefig: layout and drawing) in "
          f"{res['figures_s']:.1f} s; the others by processes it forked")
    print(f"{'':8s} peak memory (max RSS) {res['peak_bytes'] / 1e9:.2f} GB of the main process"
          + (f"; {res['tree_pss_bytes'] / 1e9:.2f} GB with the processes it forks (largest sum of their PSS, sampled "
             "every 50 ms: shared pages counted once)" if res['tree_pss_bytes'] else ''))
    print(f"{'':8s} misclassified: " + '; '.join(f'{k} {e} of {n:,}' for k, (e, n) in res['errors'].items()))
    return wall, res

if __name__ == '__main__':
    if sys.argv[1:2] == ['--child']:   # then out at once, as `hcal-ml4dqm` does (`cli_base.console_main`)
        child(sys.argv[2:]); sys.stdout.flush(); os._exit(0)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--recipe', choices=['default', 'study'], default='default')
    p.add_argument('--n-lumisections', type=int, default=10000)
    p.add_argument('--cases', nargs='+', default=['default', 'files'], choices=['default', 'files'])
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch\'s choice)')
    p.add_argument('--jobs', type=int, default=None, help="models trained at once (default: the CLI's, one per core)")
    a = p.parse_args()
    load = open('/proc/loadavg').read().split()[:3] if Path('/proc/loadavg').exists() else 'n/a'
    print(f"torch threads: {a.threads or 'the CLI default (--threads 1)'}; jobs: {a.jobs or 'the CLI default'}; load average before (1, 5, 15 min): {load}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        common = ['--recipe', a.recipe, '--no-progress', *(['--threads', str(a.threads)] if a.threads else []),
                  *(['--jobs', str(a.jobs)] if a.jobs else [])]
        if 'default' in a.cases:
            wall, _ = case('default', ['run', '--out', str(tmp / 'default'), '--n-lumisections', str(a.n_lumisections), *common])
            print(f"{'':8s} target < 60 s: {'met' if wall < 60 else 'NOT met'} ({wall / 60:.2f} of the target)")
        if 'files' in a.cases:
            from hcal_ml4dqm.synth import write_synthetic
            t0 = time.perf_counter()
            paths = write_synthetic(tmp / 'data', n_lumisections=a.n_lumisections)
            print(f"wrote {len(paths)} float64 files of {paths[0].stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - t0:.1f} s")
            _, res = case('files', ['run', '--data-dir', str(tmp / 'data'), '--out', str(tmp / 'files'), *common])
            gb = res['peak_bytes'] / 1e9
            print(f"{'':8s} target peak < 1.5 GB: {'met' if gb < 1.5 else 'NOT met'} ({gb / 1.5:.2f} of the target)")
    if Path('/proc/loadavg').exists(): print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
