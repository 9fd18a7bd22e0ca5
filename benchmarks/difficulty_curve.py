"""Difficulty curve: validation accuracy and AUC of both transformers and both baselines against the separation of
the synthetic runs, over seeds and both split kinds, for a training recipe.

    python benchmarks/difficulty_curve.py --recipe default --out benchmarks/results/difficulty_default.json
    python benchmarks/difficulty_curve.py --recipe study --out benchmarks/results/difficulty_study.json
    python benchmarks/difficulty_curve.py --recipe default --seeds 0 --separations 0.05 --n-lumisections 1000 --out /tmp/d.json
    python benchmarks/difficulty_curve.py --splits random --seeds 0 --separations 1 0.05 0.005 0 --set warmup=0 --out /tmp/ablation.json

For every separation S the data are `synthesize(n_lumisections, seed=0, separation=S)`, as `hcal-ml4dqm run
--separation S` makes them; for every (seed, split kind) the split, the models' initialisation and the shuffling
follow the seed, as in `run_study`, and each model trains with its recipe's defaults (`train.default_config`; an
ablation changes one with `--set KEY=VALUE`, a `TrainConfig` field or `standardize` of the model). The
JSON holds one record per (separation, seed, split): every model's and baseline's validation accuracy, AUC and errors,
and each model's training CPU seconds. It is rewritten after every separation, and a summary table with issue 12's
targets checked is printed and written beside it (.md):
  S > 0: each transformer's accuracy >= the better baseline's - 0.005, for every seed and split;
  S = 0: every model's accuracy within 0.50 +- 0.02.
One torch thread; CPU times are `time.process_time` (this machine is shared).
"""
import argparse, sys, time
from pathlib import Path

import numpy as np
import torch

from hcal_ml4dqm.core import write_json, write_text
from hcal_ml4dqm.data import DataSource
from hcal_ml4dqm.evaluate import BASELINES, evaluate_split
from hcal_ml4dqm.splits import SplitSpec
from hcal_ml4dqm.train import MODEL_NAMES, RECIPE_MODEL, RECIPES, build_model, default_config, fit

SEPARATIONS = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.0)


def targets(records, separation, tol=0.005, chance=0.02):
    "{model: dict(ok, worst)} for one separation: the worst gap to the better baseline (S > 0) or to chance (S = 0)."
    models = list(records[0]['models']) + (list(BASELINES) if separation == 0 else [])
    out = {}
    for m in models:
        acc = lambda r: {**r['models'], **r['baselines']}[m]['accuracy']
        if separation == 0: worst = max(abs(acc(r) - 0.5) for r in records); ok = worst <= chance
        else: worst = min(acc(r) - max(b['accuracy'] for b in r['baselines'].values()) for r in records); ok = worst >= -tol
        out[m] = dict(ok=bool(ok), worst=float(worst))
    return out


def summary_table(result):
    "Markdown: per separation, each model's accuracy (mean, and min over seeds and splits) / mean AUC, and the targets."
    names = result['config']['models'] + list(BASELINES)
    lines = ['| separation | ' + ' | '.join(names) + ' | targets |', '|---|' + '---|' * (len(names) + 1)]
    for key, block in result['curve'].items():
        cells = []
        for n in names:
            got = [{**r['models'], **r['baselines']}[n] for r in block['records']]
            acc, auc = [g['accuracy'] for g in got], [g['auc'] for g in got if g['auc'] is not None]
            cells.append(f"{np.mean(acc):.4f} (min {min(acc):.4f}) / {np.mean(auc):.4f}")
        verdict = ', '.join(f"{m}: {'ok' if v['ok'] else 'MISS'} ({v['worst']:+.4f})" for m, v in block['targets'].items())
        lines.append(f'| {key} | ' + ' | '.join(cells) + f' | {verdict} |')
    return '\n'.join(lines) + ('\n\nCells: validation accuracy, mean over seeds and splits (min) / mean AUC. Targets: S > 0, the worst '
                               '(transformer - better baseline) accuracy gap, >= -0.005; S = 0, the worst |accuracy - 0.5|, <= 0.02.')


def _value(text):
    "A --set value: int, float, None, or the text."
    for conv in (int, float):
        try: return conv(text)
        except ValueError: pass
    return None if text == 'None' else text


def one_split(recipe, models, dataset, spec, overrides):
    "Train each model on one split and evaluate it beside the baselines; the record of that split."
    split, trained, cpu = spec.make(dataset), {}, {}
    model_options = {**RECIPE_MODEL[recipe], **{k: v for k, v in overrides.items() if k == 'standardize'}}
    train_options = {k: v for k, v in overrides.items() if k != 'standardize'}
    for name in models:
        t0 = time.process_time()
        trained[name] = build_model(name, seed=spec.seed, **model_options)
        fit(trained[name], dataset.x, dataset.y, split, default_config(name, recipe, seed=spec.seed, device='cpu', **train_options), progress=False)
        cpu[name] = time.process_time() - t0
    ev = evaluate_split(trained, dataset, split, seed=spec.seed)['val']
    keep = lambda m: dict(accuracy=m['accuracy'], auc=m['auc'], n_errors=m['n_errors'])
    return dict(seed=spec.seed, split=spec.kind, n_val=len(split.val), models={n: dict(keep(ev[n]), cpu_s=cpu[n]) for n in models},
                baselines={n: keep(ev[n]) for n in BASELINES})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--recipe', choices=RECIPES, default='default')
    p.add_argument('--n-lumisections', type=int, default=10000, help='maps per run (default 10000)')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--separations', type=float, nargs='+', default=list(SEPARATIONS))
    p.add_argument('--splits', nargs='+', default=['random', 'block'], choices=('random', 'block'))
    p.add_argument('--models', nargs='+', default=list(MODEL_NAMES), choices=list(MODEL_NAMES))
    p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                   help="change one default: a TrainConfig field (lr=3e-3, steps=100, ...) or the model's standardize=None|cell|cell+map")
    p.add_argument('--out', type=Path, required=True, help='JSON to write (rewritten after every separation); the table goes beside it (.md)')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    command = ' '.join(['python benchmarks/difficulty_curve.py'] + (argv if argv is not None else sys.argv[1:]))
    overrides = {k: _value(v) for k, v in (item.split('=', 1) for item in a.set)}
    result = dict(config=dict(recipe=a.recipe, overrides=overrides, n_lumisections=a.n_lumisections, seeds=a.seeds, separations=a.separations,
                              splits=a.splits, models=a.models, command=command, torch=torch.__version__), curve={})
    t_all = time.perf_counter()
    for sep in a.separations:
        dataset = DataSource(n_lumisections=a.n_lumisections, separation=sep).load()
        records = []
        for seed in a.seeds:
            for kind in a.splits:
                records.append(r := one_split(a.recipe, a.models, dataset, SplitSpec(kind, seed=seed), overrides))
                print(f"S={sep:g} seed {seed} {kind:6s}: " + ', '.join(f"{n} {v['accuracy']:.4f}/{v['auc']:.4f}"
                      for n, v in {**r['models'], **r['baselines']}.items()), flush=True)
        result['curve'][f'{sep:g}'] = dict(separation=sep, records=records, targets=targets(records, sep))
        result['wall_s'] = time.perf_counter() - t_all
        write_json(result, a.out)
    table = summary_table(result)
    write_text(a.out.with_suffix('.md'), f"`{command}`\n\n{table}\n")
    print('\n' + table)


if __name__ == '__main__': main()
