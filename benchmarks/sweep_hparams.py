"""Choose a recipe's learning rate and batch size by measurement.

Trains each model on the synthetic default (2 x N maps, random 80/20 split, seed 0) for every (learning rate, batch
size) in the grid, with the study's recipe (3 epochs) or the default recipe (its budget of steps), and prints the best
validation loss, the validation accuracy at that validation, and the training time. `train.RECIPES['study'].hparams`
was read off this table for the study's recipe. Timings on a shared machine are noisy.

  python benchmarks/sweep_hparams.py --recipe study [--n-lumisections 10000] [--epochs 3] [--lrs 5e-5 1e-4] [--batch-sizes 128 256]
  python benchmarks/sweep_hparams.py --recipe default --lrs 3e-4 1e-3 3e-3 --batch-sizes 64 128 256
"""
import argparse, itertools, time

from hcal_ml4dqm.data import DataSource
from hcal_ml4dqm.splits import SplitSpec
from hcal_ml4dqm.train import MODEL_NAMES, RECIPE_MODEL, RECIPES, build_model, default_config, fit

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--recipe', choices=RECIPES, default='study')
p.add_argument('--n-lumisections', type=int, default=10000)
p.add_argument('--epochs', type=int, default=3, help='epochs of the study recipe')
p.add_argument('--models', nargs='+', default=list(MODEL_NAMES))
p.add_argument('--lrs', type=float, nargs='+', default=[5e-5, 1e-4, 3e-4])
p.add_argument('--batch-sizes', type=int, nargs='+', default=[64, 128, 256])
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()

data = DataSource(n_lumisections=a.n_lumisections).load()
split = SplitSpec(seed=a.seed).make(data)
print(f'{len(split.train)} training, {len(split.val)} validation maps; {a.recipe} recipe; seed {a.seed}')
print('| model | lr | batch size | best val loss | val acc (errors) | train s |')
print('|---|---|---|---|---|---|')
for name, lr, bs in itertools.product(a.models, a.lrs, a.batch_sizes):
    model = build_model(name, seed=a.seed, **RECIPE_MODEL[a.recipe])
    budget = dict(epochs=a.epochs) if a.recipe == 'study' else {}
    t0 = time.perf_counter()
    r = fit(model, data.x, data.y, split, default_config(name, a.recipe, lr=lr, batch_size=bs, seed=a.seed, **budget), progress=False)
    acc = r.history['val_acc'][r.history['step'].index(r.best_step)]
    print(f'| {name} | {lr:g} | {bs} | {r.best_val_loss:.2e} | {acc:.4f} ({round((1 - acc) * len(split.val))}) | {time.perf_counter() - t0:.1f} |', flush=True)
