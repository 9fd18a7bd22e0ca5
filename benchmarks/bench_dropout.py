"""What `vit.fast_dropout` is worth: training time of the default run with it and with torch's dropout.

Trains both models as `hcal-ml4dqm run` does (the synthetic default, 2 x 10000 maps, random 80/20 split,
seed 0, the default recipe with each model's default `TrainConfig`, one torch thread), once with `FastDropout` and once with every
`FastDropout` running `F.dropout` instead, alternating the order round by round. It reports the CPU time of
this process (`time.process_time`), which a busy shared machine disturbs far less than wall-clock time, and the
ratio of the medians.

    python benchmarks/bench_dropout.py [--rounds 4] [--n-lumisections 10000]
"""
import argparse, statistics, time

import torch
import torch.nn.functional as F

from hcal_ml4dqm.data import DataSource, SplitSpec
from hcal_ml4dqm.train import MODEL_NAMES, RECIPE_MODEL, build_model, default_config, fit
from hcal_ml4dqm.vit import FastDropout


def with_torch_dropout(model):
    "The same model with `F.dropout` in place of `fast_dropout`."
    for m in model.modules():
        if isinstance(m, FastDropout): m.forward = lambda x, m=m: F.dropout(x, m.p, m.training)
    return model


def train_both(dataset, split, torch_dropout):
    "CPU seconds to train both models as the default run does, and their final validation accuracies."
    t0 = time.process_time()
    accs = []
    for name in MODEL_NAMES:
        model = build_model(name, seed=0, **RECIPE_MODEL['default'])
        if torch_dropout: with_torch_dropout(model)
        accs.append(fit(model, dataset.x, dataset.y, split, default_config(name, device='cpu'), progress=False).history['val_acc'][-1])
    return time.process_time() - t0, accs


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--rounds', type=int, default=4)
    p.add_argument('--n-lumisections', type=int, default=10000)
    a = p.parse_args()
    torch.set_num_threads(1)
    dataset = DataSource(n_lumisections=a.n_lumisections).load()
    split = SplitSpec().make(dataset)
    cpu = {'fast_dropout': [], 'F.dropout': []}
    for r in range(a.rounds):
        for kind in (('fast_dropout', 'F.dropout') if r % 2 == 0 else ('F.dropout', 'fast_dropout')):
            seconds, accs = train_both(dataset, split, kind == 'F.dropout')
            cpu[kind].append(seconds)
            print(f"round {r + 1}, {kind:12}: {seconds:6.1f} s CPU, validation accuracy {accs}", flush=True)
    fast, plain = statistics.median(cpu['fast_dropout']), statistics.median(cpu['F.dropout'])
    print(f"median CPU time of training both models: fast_dropout {fast:.1f} s, F.dropout {plain:.1f} s; "
          f"fast_dropout saves {1 - fast / plain:.1%} of the training time")
