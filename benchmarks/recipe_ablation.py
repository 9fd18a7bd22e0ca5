"""Each ingredient of the default training recipe, measured: the default against one change at a time.

    python benchmarks/recipe_ablation.py --out benchmarks/results/recipe_ablation.json

Every variant trains both transformers with `benchmarks/difficulty_curve.py`'s procedure (`hcal-ml4dqm run`'s
data at each separation, the split, initialisation and shuffling from the seed) and is scored against the better
baseline. At the separations of issue 12's targets (1 down to 0.05) every variant below is perfect, so the
variants are compared where they differ: separation 0.005 (below the target range; the better baseline, a logistic
regression on the iEta profile, reaches about 0.97 there) and 0 (identical runs: every model must stay at chance).
Reported per variant and model: validation accuracy at 0.005 (mean and worst over the seeds), its worst gap to the
better baseline, the worst |accuracy - 0.5| at 0, and the mean training CPU seconds per model. One torch thread.
"""
import argparse, sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from difficulty_curve import one_split, targets   # noqa: E402
from hcal_ml4dqm.core import write_json, write_text   # noqa: E402
from hcal_ml4dqm.data import DataSource   # noqa: E402
from hcal_ml4dqm.splits import SplitSpec   # noqa: E402
from hcal_ml4dqm.train import MODEL_NAMES   # noqa: E402

VARIANTS = {   # name: what changes from the default recipe
    'default recipe': {},
    'no standardisation': dict(standardize=None),
    'per-cell standardisation only (common mode kept)': dict(standardize='cell'),
    'no warm-up': dict(warmup=0),
    'constant rate after the warm-up (no cosine)': dict(schedule='constant'),
    '100 steps': dict(steps=100),
    '600 steps': dict(steps=600),
    'learning rate 3e-4': dict(lr=3e-4),
    'learning rate 3e-3': dict(lr=3e-3),
    'batch 64': dict(batch_size=64),
    'batch 256': dict(batch_size=256),
    'early stopping (patience 2)': dict(patience=2),
}


def table(result):
    lines = ['| variant | ' + ' | '.join(f'{m} at 0.005: mean (worst), gap to baseline' for m in result['config']['models'])
             + ' | worst |acc - 0.5| at 0 | CPU s per model |', '|---|' + '---|' * (len(result['config']['models']) + 2)]
    for name, v in result['variants'].items():
        hard, null = v['0.005'], v['0']
        cells = [f"{np.mean(a):.4f} ({min(a):.4f}), {hard['targets'][m]['worst']:+.4f}"
                 for m in result['config']['models'] for a in [[r['models'][m]['accuracy'] for r in hard['records']]]]
        chance = max(t['worst'] for m, t in null['targets'].items() if m in result['config']['models'])
        cpu = np.mean([r['models'][m]['cpu_s'] for r in hard['records'] + null['records'] for m in result['config']['models']])
        lines.append(f'| {name} | ' + ' | '.join(cells) + f' | {chance:.4f} | {cpu:.1f} |')
    return '\n'.join(lines)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--split', default='random', choices=('random', 'block'))
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS), metavar='VARIANT')
    p.add_argument('--n-lumisections', type=int, default=10000)
    p.add_argument('--out', type=Path, required=True)
    a = p.parse_args()
    torch.set_num_threads(1)
    command = ' '.join(['python benchmarks/recipe_ablation.py'] + sys.argv[1:])
    data = {s: DataSource(n_lumisections=a.n_lumisections, separation=s).load() for s in (0.005, 0.0)}
    result = dict(config=dict(command=command, seeds=a.seeds, split=a.split, models=list(MODEL_NAMES), n_lumisections=a.n_lumisections), variants={})
    for name in a.variants:
        result['variants'][name] = {}
        for sep, dataset in data.items():
            records = [one_split('default', list(MODEL_NAMES), dataset, SplitSpec(a.split, seed=seed), VARIANTS[name]) for seed in a.seeds]
            result['variants'][name][f'{sep:g}'] = dict(records=records, targets=targets(records, sep))
        print(f'{name}: done', flush=True)
        write_json(result, a.out)
    write_text(a.out.with_suffix('.md'), f'`{command}`\n\n{table(result)}\n')
    print(table(result))
