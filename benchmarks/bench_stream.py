"""Data larger than memory: build the float32 log1p cache and train one epoch streamed from it, with its peak memory;
and, on data that fits, the streamed epoch's throughput against the in-memory one.

    python benchmarks/bench_stream.py                      # the issue's target: 8 runs x 10000 lumisections x 7 depths
    python benchmarks/bench_stream.py --n-lumisections 1000 --fits-runs 2 --rounds 1    # a quick look

Steps, each case in a fresh Python process (its peak resident memory, VmHWM, is its own):
  write    8 runs of (10000, 7, 64, 72) float64 maps (`synth.write_synthetic_runs`, 18.5 GiB) into --dir;
  big      `DataSource.load(stream='on')` builds the float32 cache (9.2 GiB) from the files, then `fit` trains the
           ViT for one epoch (training and validation pass) streamed from it: the issue's target is a peak RSS
           of at most 2 GB for the whole process;
  cold     the same epoch after the cache's pages are dropped from the page cache (posix_fadvise DONTNEED), so that
           it is read from the disk: what an epoch costs when the data set is much larger than the machine's memory;
  fits     on the first --fits-runs runs (data that fits in memory), one epoch in memory and one streamed from its
           cache (built beforehand), in alternating rounds: the streamed throughput should be within 20 % of the
           in-memory one.
Training uses one torch thread (--threads) and the ViT's default configuration; times are wall clock on whatever
else the machine is doing, so the in-memory / streamed comparison alternates them and takes medians. Everything
written is deleted at the end (--keep keeps it); the free disk space is checked first.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

CHILD = r"""
import json, os, sys, time
import numpy as np, torch
def hwm(): return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) * 1024
a = json.loads(sys.argv[1])
torch.set_num_threads(a['threads'])
from hcal_ml4dqm.data import DataSource
from hcal_ml4dqm.splits import SplitSpec
from hcal_ml4dqm.train import build_model, default_config, fit
base = hwm()
t0 = time.perf_counter()
source = DataSource.files(a['data'])
ds = source.load(stream=a['stream'], cache_dir=a['cache'])
t_load, after_load = time.perf_counter() - t0, hwm()
if a['cold'] and ds.on_disk:     # drop the cache's pages from the page cache: the epoch reads the disk
    fd = os.open(ds.x.path, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
split = SplitSpec(seed=0).make(ds)
model = build_model('ViT', seed=0, in_chans=ds.n_depths, num_classes=ds.n_classes)
cpu = time.process_time()
res = fit(model, ds.x, ds.y, split, default_config('ViT', recipe='study', epochs=1, device='cpu', batch_size=a['batch_size']), progress=False)
cpu = time.process_time() - cpu
print(json.dumps(dict(maps=len(ds), n_train=len(split.train), n_val=len(split.val), on_disk=ds.on_disk, load_s=t_load,
                      epoch_s=res.history['seconds'][0], cpu_s=cpu, val_acc=res.history['val_acc'][0], rss_imports=base,
                      rss_after_load=after_load, peak_rss=hwm())))
"""

def child(data, cache, stream, args, cold=False):
    "One case in a fresh process: its JSON line."
    spec = dict(data=str(data), cache=str(cache), stream=stream, cold=cold, threads=args.threads, batch_size=args.batch_size)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, '-c', CHILD, json.dumps(spec)], capture_output=True, text=True)
    if proc.returncode: sys.exit(f"{stream} case failed:\n{proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res['wall_s'] = time.perf_counter() - t0
    res['maps_per_s'] = res['n_train'] / res['epoch_s']   # training maps per second of the epoch (training + validation pass)
    res['maps_per_cpu_s'] = res['n_train'] / res['cpu_s']  # ... per second of the process's CPU time, all threads (the reader's too)
    return res

def show(name, r):
    gb = lambda b: f"{b / 1e9:.2f} GB"
    print(f"{name:10s} {r['maps']} maps ({'streamed' if r['on_disk'] else 'in memory'}): load {r['load_s']:.1f} s, epoch {r['epoch_s']:.1f} s "
          f"= {r['maps_per_s']:.0f} training maps/s ({r['maps_per_cpu_s']:.0f} per CPU second), validation accuracy {r['val_acc']:.4f}; peak RSS {gb(r['peak_rss'])} "
          f"(after imports {gb(r['rss_imports'])}, after load {gb(r['rss_after_load'])})", flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=8); p.add_argument('--n-lumisections', type=int, default=10000)
    p.add_argument('--depths', type=int, default=7); p.add_argument('--fits-runs', type=int, default=2, help='runs of the data that fits (0: skip)')
    p.add_argument('--rounds', type=int, default=2, help='alternating in-memory / streamed rounds on the data that fits')
    p.add_argument('--batch-size', type=int, default=256); p.add_argument('--threads', type=int, default=1)
    p.add_argument('--dir', type=Path, default=None, help='scratch directory (default: a new one in the temporary directory)')
    p.add_argument('--no-cold', action='store_true'); p.add_argument('--keep', action='store_true')
    a = p.parse_args()
    from hcal_ml4dqm.synth import write_synthetic_runs
    scratch = Path(tempfile.mkdtemp(prefix='bench_stream_', dir=a.dir))
    need = a.runs * a.n_lumisections * a.depths * 64 * 72 * (8 + 4) + (2 << 30)   # float64 input, float32 caches, a margin
    free = shutil.disk_usage(scratch).free
    if free < need: sys.exit(f"{scratch}: {free / 2**30:.1f} GiB free, the benchmark needs {need / 2**30:.1f} GiB")
    print(f"load average (1, 5, 15 min): {open('/proc/loadavg').read().split()[:3]}; {os.cpu_count()} CPUs; torch threads {a.threads}; "
          f"scratch {scratch} ({free / 2**30:.0f} GiB free)", flush=True)
    try:
        t0 = time.perf_counter()
        paths = write_synthetic_runs(scratch / 'data', a.runs, a.n_lumisections, a.depths)
        size = sum(q.stat().st_size for q in paths)
        print(f"write      {a.runs} runs x {a.n_lumisections} lumisections x {a.depths} depths: {size / 2**30:.2f} GiB of float64 in {time.perf_counter() - t0:.0f} s", flush=True)
        big = child(scratch / 'data', scratch / 'cache', 'on', a); show('big', big)
        print(f"{'':10s} target peak RSS <= 2 GB: {'met' if big['peak_rss'] <= 2e9 else 'NOT met'}", flush=True)
        out = dict(big=big)
        if not a.no_cold: out['cold'] = child(scratch / 'data', scratch / 'cache', 'on', a, cold=True); show('cold', out['cold'])
        if a.fits_runs:
            fits = scratch / 'fits'; fits.mkdir()
            for q in paths[:a.fits_runs]: (fits / q.name).symlink_to(q)
            child(fits, scratch / 'cache_fits', 'on', a)                      # builds that cache once, before the rounds
            rounds = [(child(fits, scratch / 'cache_fits', 'off', a), child(fits, scratch / 'cache_fits', 'on', a)) for _ in range(a.rounds)]
            for k, (m, s) in enumerate(rounds): show(f'memory {k + 1}', m); show(f'stream {k + 1}', s)
            mem, st = (statistics.median(r[i]['maps_per_s'] for r in rounds) for i in (0, 1))
            cmem, cst = (statistics.median(r[i]['maps_per_cpu_s'] for r in rounds) for i in (0, 1))
            print(f"{'':10s} per CPU second: streamed {cst:.0f} / in memory {cmem:.0f} = {cst / cmem:.2f}")
            print(f"{'':10s} data that fits: streamed {st:.0f} / in memory {mem:.0f} maps/s = {st / mem:.2f} (target: within 20 %, >= 0.80: "
                  f"{'met' if st / mem >= 0.8 else 'NOT met'})")
            out['fits'] = [dict(memory=m, stream=s) for m, s in rounds]
        print(json.dumps(out))
    finally:
        if a.keep: print(f"kept {scratch}")
        else: shutil.rmtree(scratch, ignore_errors=True)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")

if __name__ == '__main__': main()
