"""Build and check the docs without Quarto (which publishes them: `nbdev-docs`, `.github/workflows/deploy.yaml`): the same
site from the same `nbs/_quarto.yml`, by nbdev's public notebook processing and `smalldocs` (pure Python, runs no code).

    python tools/docs.py build     # nbdev's processing (as `nbdev-proc-nbs`), then smalldocs into _docs/
    python tools/docs.py check     # build, then check pages, figures, API reference, links, anchors, search, README
    python tools/docs.py readme    # write README.md (and index_files/) from nbs/index.ipynb, as `nbdev-readme` would
    python tools/docs.py browse    # build, then load pages in Chromium (needs playwright): screenshots, images, search
    python tools/test_docs.py      # the check itself flags what it should, on a tiny broken project
"""
import argparse, base64, contextlib, difflib, functools, html, io, json, re, runpy, shutil, sys, tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from nbdev.config import get_config, nbpath2html
from nbdev.doclinks import nbdev_export
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parent.parent
NBS, PROC, DOCS, README, FIGS = ROOT / 'nbs', ROOT / '_proc', ROOT / '_docs', ROOT / 'README.md', ROOT / 'index_files'
NOTE = '<!-- Generated from nbs/index.ipynb by `python tools/docs.py readme`: edit the notebook, not this file. -->'
SCHEME = re.compile(r'^[a-z][a-z0-9+.-]*:|^//', re.I)

class DocsError(Exception): "A problem that stops the build; printed as one line."

cfg = functools.cache(lambda: get_config(ROOT))
def site_url(): return f'{cfg().doc_host}{cfg().doc_baseurl}'.rstrip('/')
def page_name(nb): return nbpath2html(Path(nb)).name   # the page a notebook becomes: `01_data.ipynb` -> `data.html`

def proc():
    "nbdev's docs processing into `_proc/`, as `nbdev-proc-nbs` does it, without its Quarto install."
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(io.StringIO()):   # cells that nbdev re-runs may print
        refresh_quarto_yml(); nbdev_export()   # nbs/nbdev.yml; the symbol index that the API links use
        try: return proc_nbs(str(NBS), n_workers=0, force=True)
        except Exception as e:
            raise DocsError('nbdev could not process the notebooks (a show_doc cell, or a cell that mixes imports with '
                            f'other code, failed): {str(e).strip().splitlines()[-1][:300]}') from None

def frontmatter(nb):
    "The YAML front matter that nbdev puts in a processed notebook's first raw cell."
    c = nb['cells'][0] if nb['cells'] else {}
    s = ''.join(c.get('source', '')).strip() if c.get('cell_type') == 'raw' else ''
    return (yaml.safe_load(s.strip('-\n')) or {}) if s.startswith('---') else {}

def stage(dest):
    """Copy `_proc/` as Quarto sees it: each notebook under its page's name (smalldocs does not read `output-file`), links
    renamed alike, nbdev's sidebar, Quarto-only keys dropped. Returns {notebook (relative to nbs/): page}."""
    shutil.copytree(PROC, dest, ignore=shutil.ignore_patterns('_docs', '.*'))
    pages, renames = {}, {}
    for p in sorted(dest.rglob('*.ipynb')):
        rel = p.relative_to(dest)
        new = rel.with_name(Path(frontmatter(json.loads(p.read_text())).get('output-file') or page_name(rel)).stem + '.ipynb')
        if new != rel: p.rename(dest / new); renames[rel.stem] = new.stem
        pages[rel.as_posix()] = new.with_suffix('.html').as_posix()
    def rename(t): return re.sub(r'(?<![\w/.-])([\w.-]+)\.ipynb\b', lambda m: renames.get(m[1], m[1]) + '.ipynb', t)
    for p in [*dest.rglob('*.ipynb'), *dest.glob('*.yml')]: p.write_text(rename(re.sub(r'output-file: [^\\"]*\\n', '', p.read_text())))
    with contextlib.redirect_stdout(buf := io.StringIO()): nbdev_sidebar(path=str(NBS), printit=True)
    (dest / 'sidebar.yml').write_text(rename(buf.getvalue()))
    for f in (dest / '_quarto.yml', dest / 'nbdev.yml'):   # what only Quarto reads: smalldocs would warn about each
        q = yaml.safe_load(f.read_text()) or {}; q.pop('format-links', None); fmt = q.get('format') or {}
        fmt.pop('commonmark', None); (fmt.get('html') or {}).pop('keep-md', None)
        f.write_text(yaml.safe_dump(q, sort_keys=False))
    return pages

def build():
    "Process the notebooks, stage them, render the site with smalldocs into `_docs/`; (pages, smalldocs' warnings)."
    from smalldocs.site import build as render
    proc()
    with tempfile.TemporaryDirectory(prefix='hcal-docs-') as tmp:
        pages, site = stage(Path(tmp) / 'site'), render(Path(tmp) / 'site', quiet=True)
        for src, dest in ((site.out, DOCS), (Path(tmp) / 'site', PROC / '.staged')):
            shutil.rmtree(dest, ignore_errors=True); shutil.copytree(src, dest, ignore=shutil.ignore_patterns('_docs'))
    return pages, list(site.warnings)

# ------------------------------------------------------------------ README from index.ipynb (nbdev-readme needs Quarto)

def cell_options(code):
    "Quarto's `#| key: value` options at the top of a cell, and the code without them."
    lines = code.split('\n'); n = next((i for i, l in enumerate(lines) if not l.startswith('#|')), len(lines))
    try: opts = yaml.safe_load('\n'.join(l[2:] for l in lines[:n])) or {}
    except yaml.YAMLError: opts = {}
    return (opts if isinstance(opts, dict) else {}), '\n'.join(lines[n:])

def _text(v): return ''.join(v) if isinstance(v, list) else (v or '')

def readme_links(md):
    "Links of the home page made to work from the repository root: pages to the published site, files to nbs/."
    def fix(m):
        bang, label, target = m.groups()
        if SCHEME.match(target) or target.startswith(('#', '/')): return m[0]
        path, _, frag = target.partition('#')
        if bang or not path.endswith(('.ipynb', '.qmd', '.html')): return f'{bang}[{label}](nbs/{target})'
        page = page_name(path) if path.endswith('.ipynb') else Path(path).with_suffix('.html').name
        return f"[{label}]({site_url()}/{page}{'#' + frag if frag else ''})"
    return re.sub(r'(!?)\[([^\]]*)\]\(([^)\s]+)\)', fix, md)

def readme_text():
    "README.md's text and its figures {path: bytes}, from the processed `index.ipynb`, as Quarto's gfm output holds them."
    if not (PROC / 'index.ipynb').exists(): raise DocsError('_proc/index.ipynb not found: is there an nbs/index.ipynb?')
    nb = json.loads((PROC / 'index.ipynb').read_text()); fm = frontmatter(nb)
    parts, files = [NOTE] + [f'# {fm["title"]}'] * bool(fm.get('title')) + [f'> {fm["description"]}'] * bool(fm.get('description')), {}
    for n, cell in enumerate(nb['cells']):
        src, k = _text(cell['source']), 0
        if cell['cell_type'] == 'raw' or 'WARNING: THIS FILE WAS AUTOGENERATED' in src: continue
        if cell['cell_type'] == 'markdown': parts.append(readme_links(src.strip('\n'))); continue
        opts, code = cell_options(src)
        if opts.get('include') is False: continue
        if opts.get('echo', True) is not False and code.strip(): parts.append(f'```python\n{code.rstrip()}\n```')
        for out in [] if opts.get('output', True) is False else cell.get('outputs', []):
            data = out.get('data') or {}
            if out['output_type'] == 'stream':
                if out.get('name') != 'stderr': parts.append(f"```\n{_text(out['text']).rstrip()}\n```")
            elif 'image/png' in data:
                k += 1; name = f'{FIGS.name}/figure-commonmark/cell-{n}-output-{k}.png'
                files[name] = base64.b64decode(_text(data['image/png']))
                parts.append(f"![{opts.get('fig-alt') or opts.get('fig-cap') or ''}]({name})")
            elif 'text/markdown' in data: parts.append(readme_links(_text(data['text/markdown']).strip('\n')))
            elif 'text/html' in data: parts.append(re.sub(r'<style.*?</style>', '', _text(data['text/html']), flags=re.S).strip())
            elif 'text/plain' in data: parts.append(f"```\n{_text(data['text/plain']).rstrip()}\n```")
    return '\n\n'.join(parts) + '\n', files

def check_readme():
    "README.md and its figures agree with what nbs/index.ipynb gives."
    fix = 'README.md is generated from nbs/index.ipynb: run `python tools/docs.py readme`, commit README.md and index_files/'
    (text, files), have = readme_text(), README.read_text() if README.exists() else ''
    diff = difflib.unified_diff(have.splitlines(), text.splitlines(), 'README.md', 'nbs/index.ipynb', lineterm='', n=1)
    problems = [] if have == text else [f'README.md differs from nbs/index.ipynb. {fix}\n' + '\n'.join(list(diff)[:30])]
    old = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in FIGS.rglob('*.png')}
    return problems + [f'{f}: missing, left over or changed. {fix}' for f in sorted({*old, *files}) if old.get(f) != files.get(f)]

# ------------------------------------------------------------------ checking the built site

def _plain(h, *tags):
    "A page's text, without the elements named."
    return html.unescape(re.sub(r'<[^>]+>', '', re.sub(rf'<({"|".join(tags)})\b.*?</\1>', '', h, flags=re.S)))

def _decodes(src):
    "Whether an image embedded in a page decodes (smalldocs checks the image files)."
    m = re.match(r'data:image/([\w+.-]+);base64,(.*)', src, re.S)
    try: data = base64.b64decode(m[2], validate=True) if m else b''
    except ValueError: data = b''
    return len(data) > 100 and (m[1] != 'png' or data.startswith(b'\x89PNG'))

def _figures(nb):
    "(figures a processed notebook's page should show, cells that end by drawing but have no saved output)."
    want = unsaved = 0
    for c in nb['cells']:
        opts, code = cell_options(_text(c['source']))
        if c['cell_type'] != 'code' or opts.get('include') is False or opts.get('output', True) is False: continue
        want += sum('image/png' in (o.get('data') or {}) and 'text/html' not in o['data'] for o in c.get('outputs', []))
        unsaved += not c.get('outputs') and bool(re.search(r'(^|\n)\s*(fig|plt\.show\(\)|\w*plot_\w+\(.*\)|\w*_figure\(.*\))\s*$', code))
    return want, unsaved

def _anchor(href, page, ids):
    "What is wrong with a link to an anchor, or to the published site (smalldocs checks the other links), or None."
    ours = href.startswith(site_url() + '/')   # smalldocs takes a link to the published site for another site's
    if not ours and (SCHEME.match(href) or '#' not in href): return None
    u = urlsplit(href[len(site_url()) + 1:] if ours else href)
    dest = ((DOCS if ours else (DOCS / page).parent) / unquote(u.path)).resolve() if u.path else (DOCS / page).resolve()
    dest = dest / 'index.html' if dest.is_dir() else dest
    if not dest.is_file(): return f'broken link to {href}' if ours else None
    have = ids.get(dest.relative_to(DOCS.resolve()).as_posix(), set())
    return f'link {href}: no #{u.fragment} in {dest.name}' if u.fragment and not {u.fragment, unquote(u.fragment)} & have else None

def check_site(pages, warnings):
    "Problems and notes of the built site: smalldocs' warnings (its broken links and images among them), and the rest here."
    problems, notes = [f'smalldocs: {w}' for w in warnings], []
    built = {f.relative_to(DOCS).as_posix(): f.read_text(encoding='utf-8') for f in DOCS.rglob('*.html')}
    ids = {k: set(re.findall(r'\b(?:id|name)="([^"]+)"', v)) for k, v in built.items()}
    for nb, page in sorted(pages.items()):
        if page not in built: problems.append(f'nbs/{nb}: no page {page} in _docs/'); continue
        h, text, prose = built[page], _plain(built[page], 'script', 'style'), _plain(built[page], 'script', 'style', 'pre', 'code')
        want, unsaved = _figures(json.loads((PROC / '.staged' / Path(page).with_suffix('.ipynb')).read_text()))
        raw = [l.strip()[:80] for l in text.splitlines() if l.lstrip().startswith('#|')][:1]
        problems += ([f'{page}: shows fewer figures than nbs/{nb} has saved ({want})'] * (h.count('src="data:image') < want)
                     + [f'{page}: shows a raw directive: {r}' for r in raw]
                     + [f'{page}: shows {why}' for bad, why in ((':::', 'an unrendered div fence'), ('{=html}', 'a raw block'),
                                                                 ('{{<', 'an unexpanded shortcode')) if bad in prose]
                     + [f'{page}: shows a traceback (saved in nbs/{nb})'] * ('cell-output-error' in h or 'Traceback (most' in text)
                     + [f'{page}: has no title (a `# Title` markdown cell)'] * (not re.search(r'<h1[^>]*>', h))
                     + [f'search: {page} has no search box'] * ('smalldocs-search' not in h))
        notes += ([f'{page}: {unsaved} cell(s) that draw a figure have no saved output: were nbs/{nb} outputs saved?'] * bool(unsaved)
                  + [f'{page}: shows stderr output (warnings or progress bars) saved in nbs/{nb}'] * ('cell-output-stderr' in h))
    for page, h in built.items():   # what smalldocs does not check: that embedded images decode, and that anchors exist
        problems += [f'{page}: broken image {s[:60]!r}' for s in re.findall(r'<img\b[^>]*\bsrc="(data:[^"]+)"', h) if not _decodes(s)]
        problems += [f'{page}: {why}' for href in dict.fromkeys(html.unescape(x) for x in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', h))
                     if (why := _anchor(href, page, ids))]
    for mod, syms in runpy.run_path(str(cfg().lib_path / '_modidx.py'))['d'].get('syms', {}).items():   # the API reference
        for name, (page, anchor) in ((s[len(mod) + 1:], link.partition('#')[::2]) for s, (link, _) in syms.items()):
            if '.' not in name and not name.startswith('_') and anchor.lower() not in {i.lower() for i in ids.get(page, ())}:
                problems.append(f'{page}: no API reference (show_doc) for {name}')
    found = {e.get('href', '').split('#')[0] for e in json.loads((DOCS / 'search.json').read_text())} if (DOCS / 'search.json').exists() else set()
    problems += [f'search: {p} is not in search.json' for p in sorted(set(pages.values()) - found)]
    problems += ['search: the search script (fuse) is not in site_libs/'] * (not list(DOCS.glob('site_libs/**/fuse*.js')))
    home = built.get('index.html', '')
    problems += ['index.html: the home page shows no figure'] * (not re.search(r'<img[^>]+src="data:image|<svg', home))
    return problems + ['index.html: the home page shows no table (the result table)'] * ('<table' not in home), notes

def run_check():
    "Build the site and check it, and README.md against nbs/index.ipynb; one line per problem."
    pages, warnings = build()
    problems, notes = check_site(pages, warnings)
    problems += check_readme()
    for line in [f'note: {n}' for n in notes] + [f'FAIL: {p}' for p in problems]: print(line)
    print(f'docs: {len(pages)} page(s) built into _docs/; ' + (f'{len(problems)} problem(s)' if problems else 'all passed'))
    return 1 if problems else 0

# ------------------------------------------------------------------ looking at it in Chromium

def browse(pages, out, query, width=1280):
    "Load each page in headless Chromium (Playwright): screenshots, images that did not load, script errors; then search."
    from playwright.sync_api import sync_playwright
    chromium, problems, errors = shutil.which('chromium') or shutil.which('chromium-browser'), [], []
    if not chromium: raise DocsError("chromium not found: install Debian's package (`apt-get install chromium`)")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:   # pages from their files; the search script reads search.json beside them
        browser = pw.chromium.launch(executable_path=chromium, args=['--allow-file-access-from-files'])
        tab, base = browser.new_page(viewport=dict(width=width, height=900)), DOCS.resolve().as_uri()
        tab.on('pageerror', lambda e: errors.append(str(e)))
        tab.on('console', lambda m: m.type == 'error' and errors.append(f'{m.text} {m.location.get("url", "")}'))
        for page in pages:
            errors.clear(); tab.goto(f'{base}/{page}', wait_until='networkidle')
            n, broken = tab.evaluate('[document.images.length, [...document.images].filter(i => !i.naturalWidth).length]')
            shot = out / f'{Path(page).stem}.png'; tab.screenshot(path=shot, full_page=True)
            print(f'{page}: {tab.title()!r}, {n} image(s), {broken} broken; screenshot of the whole page {shot}')
            problems += [f'{page}: {broken} image(s) did not load'] * bool(broken)
            # no network here: fonts from the web fail to load
            problems += [f'{page}: browser error: {e}' for e in errors if 'http' not in e]
        tab.goto(f'{base}/{pages[0]}', wait_until='networkidle')
        tab.evaluate("[...document.querySelectorAll('.smalldocs-search')].forEach(b => b.classList.add('sd-open'))")
        tab.locator('.smalldocs-search input').filter(visible=True).first.type(query)   # as a reader types
        shown = '.smalldocs-search-results.show'
        tab.locator(f'{shown} .search-result-title, {shown} .search-none').first.wait_for(timeout=10000)
        hits = tab.locator(f'{shown} .search-result-title').all_text_contents()
        tab.screenshot(path=out / 'search.png')
        print(f'search {query!r} on {pages[0]}: {len(hits)} result(s) {hits[:5]}, screenshot {out / "search.png"}')
        problems += [f'search: no results for {query!r}'] * (not hits)
    for p in problems: print(f'FAIL: {p}')
    print(f'browse: {len(pages)} page(s) looked at; ' + (f'{len(problems)} problem(s)' if problems else 'all passed'))
    return 1 if problems else 0

def main(argv=None):
    ap = argparse.ArgumentParser(prog='python tools/docs.py', description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name in ('build', 'check', 'readme'): sub.add_parser(name)
    s = sub.add_parser('browse', help='build, then screenshot pages in headless Chromium and try the search')
    s.add_argument('pages', nargs='*', help='pages to load (default: index.html and the first chapter)')
    s.add_argument('--out', type=Path, default=Path(tempfile.gettempdir()) / 'hcal_ml4dqm_docs_shots', help='for the PNGs')
    s.add_argument('--query', default='transformer', help='what to type into the search box')
    s.add_argument('--no-build', action='store_true', help='use _docs/ as it is')
    a = ap.parse_args(argv)
    try:
        if a.cmd == 'check': return run_check()
        if a.cmd == 'browse':
            pages = sorted(p for p in ({} if a.no_build else build()[0]).values() if p != 'index.html')
            return browse(a.pages or ['index.html'] + pages[:1], a.out, a.query)
        if a.cmd == 'build':
            pages, warnings = build()
            print(''.join(f'warning: {w}\n' for w in warnings) + f'docs: {len(pages)} page(s) in _docs/')
        if a.cmd == 'readme':
            proc(); text, files = readme_text(); shutil.rmtree(FIGS, ignore_errors=True)
            for name, data in files.items(): (ROOT / name).parent.mkdir(parents=True, exist_ok=True); (ROOT / name).write_bytes(data)
            README.write_text(text); print(f'wrote README.md ({len(text.splitlines())} lines) and {len(files)} figure(s)')
    except DocsError as e:
        print(f'docs: {e}', file=sys.stderr); return 2
    return 0

if __name__ == '__main__':
    sys.exit(main())
