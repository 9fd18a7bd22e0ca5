"""The docs check can fail: build a tiny nbdev project with one sound chapter and one broken one, run
`tools/docs.py check` on it, and see that it flags every break and nothing on the sound pages.

    python tools/test_docs.py        # or: python -m pytest tools/test_docs.py
"""

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _png() -> str:
    "A small real figure, as a notebook stores it."
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [0, 1, 4])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _nb(cells: list[dict]) -> dict:
    out = []
    for n, (kind, src, *outputs) in enumerate(cells):
        c = {"cell_type": kind, "id": f"c{n:03d}", "metadata": {}, "source": src}
        if kind == "code":
            c.update(execution_count=None, outputs=outputs[0] if outputs else [])
        out.append(c)
    return {"cells": out, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _figure(png: str) -> list[dict]:
    return [{"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": "<Figure>"}}]


def make_project(root: Path) -> None:
    "A two-chapter nbdev project using this repository's docs config and tools."
    png = _png()
    (root / "nbs").mkdir(parents=True)
    (root / "tools").mkdir()
    shutil.copy(HERE / "docs.py", root / "tools" / "docs.py")
    for f in ("_quarto.yml", "styles.css"):
        shutil.copy(REPO / "nbs" / f, root / "nbs" / f)
    (root / "demo_pkg").mkdir()
    (root / "demo_pkg" / "__init__.py").write_text('__version__ = "0.0.1"\n')
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "demo_pkg"\nversion = "0.0.1"\ndescription = "A demo"\n\n'
        '[project.urls]\nRepository = "https://github.com/demo/demo_pkg"\nDocumentation = "https://demo.github.io/demo_pkg/"\n\n'
        '[tool.nbdev]\ntitle = "demo_pkg"\njupyter_hooks = false\n')
    nbs = root / "nbs"
    index = _nb([
        ("markdown", "# demo_pkg\n\n> A demo project."),
        ("markdown", "Read [the good chapter](good.html).\n\n| model | accuracy |\n|---|---|\n| a | 0.9 |"),
        ("code", "#| echo: false\nfig", _figure(png)),
    ])
    good = _nb([
        ("code", "#| default_exp good"),
        ("markdown", "# Good\n\n> A sound chapter."),
        ("code", "#| export\ndef twice(x): # a number\n    \"Twice `x`.\"\n    return 2 * x"),
        ("code", "twice(2)", [{"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": "4"}}]),
        ("code", "fig", _figure(png)),
        ("markdown", "Back to [the start](index.ipynb); see `twice`."),
    ])
    bad = _nb([
        ("code", "#| default_exp bad"),
        ("markdown", "# Bad\n\n> A broken chapter."),
        ("code", "#| export\ndef hidden_fn(x): return x"),
        ("code", "#| hide\nfrom nbdev.showdoc import show_doc"),
        ("code", "#| hide\nshow_doc(hidden_fn)"),
        ("markdown", "A lost picture ![map](images/missing.png), a lost anchor [here](good.html#nope), "
                     "a link by the notebook's file name [there](01_good.html)."),
        ("code", "y = 1\n#| echo: false\ny", [{"output_type": "execute_result", "execution_count": 2, "metadata": {}, "data": {"text/plain": "1"}}]),
        ("code", "1/0", [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero",
                          "traceback": ["Traceback (most recent call last)", "ZeroDivisionError: division by zero"]}]),
    ])
    for name, nb in (("index.ipynb", index), ("01_good.ipynb", good), ("02_bad.ipynb", bad)):
        (nbs / name).write_text(json.dumps(nb, indent=1))
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run(["nbdev-export"], cwd=root, env=env, check=True, capture_output=True)


EXPECTED = [
    "bad.html: shows a raw directive: #| echo: false",
    "bad.html: shows a traceback",
    "bad.html: broken image 'images/missing.png'",
    "bad.html: link good.html#nope: no #nope in good.html",
    "bad.html: broken link to 01_good.html",
    "bad.html: no API reference (show_doc) for hidden_fn",
    "README.md differs from nbs/index.ipynb",
]


def run_checks(root: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "tools/docs.py", "check"], cwd=root, env=env, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def check_all() -> list[str]:
    "Everything that went wrong, as lines; empty when the docs check behaves."
    problems = []
    with tempfile.TemporaryDirectory(prefix="hcal-docs-test-") as tmp:
        root = Path(tmp)
        make_project(root)
        env = {**os.environ, "PYTHONPATH": str(root)}
        r = subprocess.run([sys.executable, "tools/docs.py", "readme"], cwd=root, env=env, capture_output=True, text=True)
        if r.returncode:
            return [f"`docs.py readme` failed: {r.stdout}{r.stderr}"]
        readme = (root / "README.md").read_text()
        for want in ("# demo_pkg", "> A demo project.", "(https://demo.github.io/demo_pkg/good.html)", "| a | 0.9 |", "![](index_files/figure-commonmark/"):
            if want not in readme:
                problems.append(f"generated README.md lacks {want!r}")
        if not list((root / "index_files").rglob("*.png")):
            problems.append("generated README.md has no figure file in index_files/")
        (root / "README.md").write_text(readme.replace("A demo project.", "A demo project, edited by hand."))
        rc, out = run_checks(root)
        fails = [line for line in out.splitlines() if line.startswith("FAIL: ")]
        if rc != 1:
            problems.append(f"`docs.py check` exited {rc}, expected 1:\n{out}")
        for want in EXPECTED:
            if not any(want in line for line in fails):
                problems.append(f"not flagged: {want}")
        for line in fails:
            if not line.startswith("FAIL: bad.html") and "README.md differs" not in line and "README.md is generated" not in line:
                problems.append(f"flagged on a sound page: {line}")
        if problems:
            problems.append("its output was:\n" + out)
        # the sound pages alone pass
        (root / "nbs" / "02_bad.ipynb").unlink()
        (root / "demo_pkg" / "bad.py").unlink()
        subprocess.run(["nbdev-export"], cwd=root, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "tools/docs.py", "readme"], cwd=root, env=env, capture_output=True, text=True)
        rc, out = run_checks(root)
        if rc != 0:
            problems.append(f"`docs.py check` on the sound project exited {rc}, expected 0:\n{out}")
    return problems


def test_docs_check_flags_broken_pages():
    problems = check_all()
    assert not problems, "\n".join(problems)


if __name__ == "__main__":
    problems = check_all()
    for p in problems:
        print(f"FAIL: {p}")
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    sys.exit(1 if problems else 0)
