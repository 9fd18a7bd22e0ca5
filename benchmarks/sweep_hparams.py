"""Choose each model's default learning rate and batch size by measurement.

Trains each model on the synthetic default (2 x N maps, random 80/20 split, seed 0, 3 epochs) for every
(learning rate, batch size) in the grid and prints the best validation loss, the validation accuracy at
that epoch, and the training time. The defaults in `train.DEFAULT_HPARAMS` are read off this table: the
lowest validation loss among the settings fast enough for the 60 s `run` target. Timings on a shared
machine are noisy.

  python benchmarks/sweep_hparams.py [--n-lumisections 10000] [--epochs 3] [--lrs 1e-3 3e-3] [--batch-sizes 64 128]
"""
import argparse, itertools, time
from hcal_ml4dqm.data import dataset_from_arrays, random_split, synthesize
from hcal_ml4dqm.train import MODEL_NAMES, TrainConfig, build_model, fit

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--n-lumisections', type=int, default=10000)
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--models', nargs='+', default=list(MODEL_NAMES))
p.add_argument('--lrs', type=float, nargs='+', default=[5e-4, 1e-3, 2e-3, 5e-3])
p.add_argument('--batch-sizes', type=int, nargs='+', default=[64, 128, 256])
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()

data = dataset_from_arrays(synthesize(a.n_lumisections))
split = random_split(data.y, val_frac=0.2, seed=a.seed)
print(f'{len(split.train)} training, {len(split.val)} validation maps; {a.epochs} epochs; seed {a.seed}')
print('| model | lr | batch size | best val loss | val acc (errors) | train s |')
print('|---|---|---|---|---|---|')
for name, lr, bs in itertools.product(a.models, a.lrs, a.batch_sizes):
    model = build_model(name, seed=a.seed)
    t0 = time.perf_counter()
    r = fit(model, data.x, data.y, split, TrainConfig(epochs=a.epochs, lr=lr, batch_size=bs, seed=a.seed), progress=False)
    acc = r.history['val_acc'][r.best_epoch - 1]
    print(f'| {name} | {lr:g} | {bs} | {r.best_val_loss:.2e} | {acc:.4f} ({round((1 - acc) * len(split.val))}) | {time.perf_counter() - t0:.1f} |', flush=True)
