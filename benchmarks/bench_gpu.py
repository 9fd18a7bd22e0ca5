"""On a CUDA machine: the default study with `--device cuda`, then the ViT's training step against timm's in eager mode.

    python benchmarks/bench_gpu.py              # needs CUDA; timm for the comparison (pip install --no-deps timm)

Issue 23's GPU targets: the default run within 15 s, training at least 2x timm eager. Prepared without a GPU: it has
not been run yet, so no figure of it is claimed anywhere.
"""
import statistics, subprocess, sys, tempfile, time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from bench_models import timm_vit  # noqa: E402

from hcal_ml4dqm.vit import ViT  # noqa: E402


def cuda_step(model, batch=128):
    "One training step on the GPU on a fixed batch, synchronised, as a closure."
    x, y = torch.rand(batch, 1, 64, 72, device='cuda') * 3, torch.randint(0, 2, (batch,), device='cuda')
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step


def main():
    if not torch.cuda.is_available(): sys.exit('no CUDA device: this benchmark needs a GPU')
    print(torch.cuda.get_device_name(), 'torch', torch.__version__)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, '-m', 'hcal_ml4dqm.cli', 'run', '--device', 'cuda', '--no-progress', '--out', tmp])
        print(f"hcal-ml4dqm run --device cuda: {time.perf_counter() - t0:.1f} s wall, exit code {proc.returncode} (target 15 s)")
    for patch in [(32, 36), (8, 8)]:
        torch.manual_seed(0)
        models = {'ViT': ViT(patch_size=patch, standardize='cell+map').cuda().train()}
        timm = timm_vit(patch, 64)
        if timm is not None: models['timm'] = timm.cuda().train()
        steps = {name: cuda_step(m) for name, m in models.items()}
        times = {name: [] for name in steps}
        for step in steps.values():
            for _ in range(5): step()
        for _ in range(7):
            for name, step in steps.items():
                torch.cuda.synchronize(); t0 = time.perf_counter()
                for _ in range(20): step()
                torch.cuda.synchronize(); times[name].append((time.perf_counter() - t0) / 20)
        line = ', '.join(f"{name} {statistics.median(ts) * 1e3:.2f} ms/step" for name, ts in times.items())
        if 'timm' in times: line += f", ViT x{statistics.median(t / v for t, v in zip(times['timm'], times['ViT'])):.2f} timm (target 2x)"
        print(f"patch {patch}: {line}")


if __name__ == '__main__': main()
