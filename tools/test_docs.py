"""The docs check can fail: build a tiny nbdev project with one sound chapter and one broken one, run
`tools/docs.py check` on it, and see that it flags every break and nothing on the sound pages.

    python tools/test_docs.py
"""
import base64, io, json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent

def _png():
    "A small real image (noise: well over the check's 100 bytes), as a notebook stores it."
    buf = io.BytesIO(); Image.effect_noise((64, 48), 40).save(buf, 'PNG')
    return [{'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': base64.b64encode(buf.getvalue()).decode(), 'text/plain': '<Figure>'}}]

def _nb(*cells):
    out = [dict(cell_type=kind, id=f'c{n:03d}', metadata={}, source=src, **({'execution_count': None, 'outputs': outs[0] if outs else []}
                if kind == 'code' else {})) for n, (kind, src, *outs) in enumerate(cells)]
    return json.dumps({'cells': out, 'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
                       'nbformat': 4, 'nbformat_minor': 5}, indent=1)

def make_project(root):
    "A two-chapter nbdev project using this repository's docs config and tools."
    for d in ('nbs', 'tools', 'demo_pkg'): (root / d).mkdir(parents=True)
    shutil.copy(HERE / 'docs.py', root / 'tools' / 'docs.py')
    for f in ('_quarto.yml', 'styles.css'): shutil.copy(HERE.parent / 'nbs' / f, root / 'nbs' / f)
    (root / 'demo_pkg' / '__init__.py').write_text('__version__ = "0.0.1"\n')
    (root / 'pyproject.toml').write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "demo_pkg"\n'
        'version = "0.0.1"\ndescription = "A demo"\n\n[project.urls]\nRepository = "https://github.com/demo/demo_pkg"\n'
        'Documentation = "https://demo.github.io/demo_pkg/"\n\n[tool.nbdev]\ntitle = "demo_pkg"\njupyter_hooks = false\n')
    (root / 'nbs' / 'index.ipynb').write_text(_nb(
        ('markdown', '# demo_pkg\n\n> A demo project.'),
        ('markdown', 'Read [the good chapter](good.html).\n\n| model | accuracy |\n|---|---|\n| a | 0.9 |'),
        ('code', '#| echo: false\nfig', _png())))
    (root / 'nbs' / '01_good.ipynb').write_text(_nb(
        ('code', '#| default_exp good'), ('markdown', '# Good\n\n> A sound chapter.'),
        ('code', '#| export\ndef twice(x): # a number\n    "Twice `x`."\n    return 2 * x'),
        ('code', 'twice(2)', [{'output_type': 'execute_result', 'execution_count': 1, 'metadata': {}, 'data': {'text/plain': '4'}}]), ('code', 'fig', _png()), ('markdown', 'Back to [the start](index.ipynb); see `twice`.')))
    (root / 'nbs' / '02_bad.ipynb').write_text(_nb(
        ('code', '#| default_exp bad'), ('markdown', '# Bad\n\n> A broken chapter.'),
        ('code', '#| export\ndef hidden_fn(x): return x'),
        ('code', '#| hide\nfrom nbdev.showdoc import show_doc'), ('code', '#| hide\nshow_doc(hidden_fn)'),
        ('markdown', "A lost picture ![map](images/missing.png), a lost anchor [here](good.html#nope), "
                     "a link by the notebook's file name [there](01_good.html)."),
        ('code', 'y = 1\n#| echo: false\ny'),
        ('code', '1/0', [{'output_type': 'error', 'ename': 'ZeroDivisionError', 'evalue': 'division by zero',
                          'traceback': ['Traceback (most recent call last)', 'ZeroDivisionError: division by zero']}])))
    _run(root, 'nbdev-export')

EXPECTED = ['bad.html: shows a raw directive: #| echo: false', 'bad.html: shows a traceback', 'bad.ipynb: broken link images/missing.png',
            'bad.html: link good.html#nope: no #nope in good.html', 'bad.ipynb: broken link 01_good.html',
            'bad.html: no API reference (show_doc) for hidden_fn', 'README.md differs from nbs/index.ipynb']

def _run(root, *cmd):
    r = subprocess.run(cmd, cwd=root, env={**os.environ, 'PYTHONPATH': str(root)}, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr

def _docs(root, cmd): return _run(root, sys.executable, 'tools/docs.py', cmd)

def check_all():
    "Everything that went wrong, as lines; empty when the docs check behaves."
    problems = []
    with tempfile.TemporaryDirectory(prefix='hcal-docs-test-') as tmp:
        root = Path(tmp); make_project(root)
        rc, out = _docs(root, 'readme')
        if rc: return [f'`docs.py readme` failed: {out}']
        readme = (root / 'README.md').read_text()
        problems += [f'generated README.md lacks {w!r}' for w in ('# demo_pkg', '> A demo project.', '(https://demo.github.io/demo_pkg/good.html)',
                                                                  '| a | 0.9 |', '![](index_files/figure-commonmark/') if w not in readme]
        if not list((root / 'index_files').rglob('*.png')): problems.append('generated README.md has no figure file in index_files/')
        (root / 'README.md').write_text(readme.replace('A demo project.', 'A demo project, edited by hand.'))
        rc, out = _docs(root, 'check')
        fails = [line for line in out.splitlines() if line.startswith('FAIL: ')]
        if rc != 1: problems.append(f'`docs.py check` exited {rc}, expected 1')
        problems += [f'not flagged: {w}' for w in EXPECTED if not any(w in line for line in fails)]
        problems += [f'flagged on a sound page: {line}' for line in fails if 'bad.' not in line and 'README.md' not in line]
        if problems: problems.append('its output was:\n' + out)
        (root / 'nbs' / '02_bad.ipynb').unlink(); (root / 'demo_pkg' / 'bad.py').unlink()   # the sound pages alone pass
        _run(root, 'nbdev-export'); _docs(root, 'readme'); rc, out = _docs(root, 'check')
        if rc != 0: problems.append(f'`docs.py check` on the sound project exited {rc}, expected 0:\n{out}')
    return problems

if __name__ == '__main__':
    problems = check_all(); print(''.join(f'FAIL: {p}\n' for p in problems) + f'{1 - bool(problems)} passed, {int(bool(problems))} failed')
    sys.exit(1 if problems else 0)
