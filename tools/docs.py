"""Build and check the documentation site without Quarto.

The published site is built by Quarto (`nbdev-docs`, in `.github/workflows/deploy.yaml`). Quarto cannot be
installed from PyPI, so this script builds the same site from the same `nbs/_quarto.yml` with `smalldocs`
(pure Python, reads `_quarto.yml` and the outputs saved in the notebooks, runs no notebook) and checks it.

    python tools/docs.py build     # nbdev's notebook processing (as `nbdev-proc-nbs`), then smalldocs into _docs/
    python tools/docs.py check     # build, then check pages, figures, API reference, links, search, README
    python tools/docs.py readme    # write README.md (and index_files/) from nbs/index.ipynb
    python tools/docs.py browse    # build, then load pages in headless Chromium: screenshots, images, search
    python tools/test_docs.py      # the check itself flags what it should, on a tiny broken project

README.md is generated from nbs/index.ipynb (as `nbdev-readme` does with Quarto): edit the notebook, run
`python tools/docs.py readme`; `check` fails when README.md differs from what the notebook gives.
"""

import argparse
import base64
import contextlib
import difflib
import hashlib
import html
import io
import json
import os
import re
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
PROC = ROOT / "_proc"
DOCS = ROOT / "_docs"
README = ROOT / "README.md"
README_FILES = ROOT / "index_files"  # where README's figures go, as nbdev-readme puts them
README_NOTE = "<!-- Generated from nbs/index.ipynb by `python tools/docs.py readme`: edit the notebook, not this file. -->"
# Options that only Quarto's build uses; smalldocs would warn about each, so the staged copy drops them.
QUARTO_ONLY = {"format-links": None, "format": {"commonmark": None, "html": {"keep-md": None}}}


class DocsError(Exception):
    "A problem that stops the build; printed as one line."


# ------------------------------------------------------------------ nbdev's processing


def nbdev_cfg():
    "The project's nbdev config, read from the repository root."
    from nbdev.config import get_config

    return get_config(ROOT)


def pages_of(nbs: Path = NBS) -> list[Path]:
    "The notebooks that become pages: as nbdev finds them (not `_*` or `.*`)."
    return sorted(p for p in nbs.rglob("*.ipynb") if not any(part.startswith(("_", ".")) for part in p.relative_to(nbs).parts))


def html_name(nb: Path) -> str:
    "The page a notebook becomes, as nbdev names it (`01_data.ipynb` -> `data.html`)."
    from nbdev.config import nbpath2html

    return nbpath2html(nb).name


PROC_ERRORS: list[str] = []  # notebooks that nbdev's processing could not process, one line each
FAILED_PAGES: set[str] = set()  # the pages of those notebooks: links to them are reported once, with the notebook
_REAL_MAIN = []  # nbdev.serve_drv.main, while `proc` puts `_proc_one` in its place


def _proc_one(item):
    "nbdev's per-file processing step, with a failure kept as one line instead of stopping the whole build."
    src, dst, _ = item
    try:
        return _REAL_MAIN[0](item)
    except Exception as e:  # nbdev re-runs show_doc cells and cells with imports; one of them raised
        os.environ.pop("IN_TEST", None)
        Path(dst).unlink(missing_ok=True)
        msg = str(e).strip().splitlines()
        cell = re.search(r"in cell (\d+)", msg[0]) if msg else None
        last = msg[-1] if msg else type(e).__name__
        where = f"the cell that starts `{msg[1].strip()[:60]}`" if cell and len(msg) > 2 else "a cell"
        PROC_ERRORS.append(f"nbs/{Path(src).relative_to(NBS)}: the docs build re-runs {where} (show_doc, or imports mixed with "
                           f"other code) and it failed: {last[:200]}. Put imports in a cell of their own.")


def proc(workers: int = 0, quiet: bool = False, force: bool = False) -> Path:
    "Run nbdev's docs processing into `_proc/`, as `nbdev-proc-nbs` does, without its Quarto install step."
    import nbdev.doclinks
    import nbdev.quarto
    import nbdev.serve
    from nbdev.serve import proc_nbs

    cwd = os.getcwd()
    os.chdir(ROOT)
    PROC_ERRORS.clear()
    FAILED_PAGES.clear()
    real = nbdev.serve.nbdev.serve_drv.main
    try:
        with contextlib.redirect_stderr(io.StringIO()) if quiet else contextlib.nullcontext():
            nbdev.quarto.refresh_quarto_yml()  # nbs/nbdev.yml from pyproject.toml
            nbdev.doclinks._build_modidx()
            if workers == 0:  # in this process, so that a failing notebook is reported and the others still build
                _REAL_MAIN[:] = [real]
                nbdev.serve.nbdev.serve_drv.main = _proc_one
            with contextlib.redirect_stdout(io.StringIO()):  # cells that nbdev re-runs may print
                return proc_nbs(str(NBS), n_workers=workers, force=force)
    finally:
        nbdev.serve.nbdev.serve_drv.main = real
        os.chdir(cwd)


# ------------------------------------------------------------------ staging for smalldocs


def _drop(cfg: dict, spec: dict) -> dict:
    "Remove the keys named in `spec` (None: the key; a dict: keys inside it) from `cfg`."
    for k, v in spec.items():
        if k not in cfg:
            continue
        if v is None:
            cfg.pop(k)
        elif isinstance(cfg[k], dict):
            _drop(cfg[k], v)
    return cfg


def _frontmatter(nb: dict) -> dict:
    "The YAML front matter nbdev put in a processed notebook's first raw cell."
    for c in nb.get("cells", []):
        if c["cell_type"] == "raw":
            s = "".join(c["source"]).strip()
            if s.startswith("---"):
                return yaml.safe_load(s.strip("-\n")) or {}
        break
    return {}


def _rename_refs(text: str, renames: dict[str, str]) -> str:
    """Point links at renamed notebooks, `01_data.ipynb` -> `data.ipynb`, as Quarto resolves a link to a notebook.
    A link to `01_data.html` is left alone: the published page is `data.html`, so that link is broken, and the check says so."""
    for old, new in renames.items():
        text = re.sub(rf"(?<![\w/.-]){re.escape(old)}\.ipynb\b", new + ".ipynb", text)
    return text


def stage(dest: Path) -> dict[str, str]:
    """Copy `_proc/` to `dest` the way Quarto would see it: each notebook under the name nbdev gives its page
    (Quarto reads `output-file`, smalldocs does not), links to it renamed, nbdev's sidebar, Quarto-only keys dropped.
    Returns {source notebook (relative to nbs/): page (relative to the site)}."""
    shutil.copytree(PROC, dest, ignore=shutil.ignore_patterns("_docs", "_site", ".*"))
    pages, renames = {}, {}
    for src in pages_of(NBS):
        rel = src.relative_to(NBS)
        p = dest / rel
        if not p.exists():
            if not any(e.startswith(f"nbs/{rel.as_posix()}:") for e in PROC_ERRORS):
                PROC_ERRORS.append(f"nbs/{rel.as_posix()}: nbdev's processing made no copy in _proc/")
            FAILED_PAGES.add(html_name(rel))
            if Path(html_name(rel)).stem != rel.stem:  # links to it still go where its page would be
                renames[rel.stem] = Path(html_name(rel)).stem
            continue
        fm = _frontmatter(json.loads(p.read_text()))
        out = fm.get("output-file") or html_name(rel)
        new = rel.with_name(Path(out).stem + ".ipynb")
        if new != rel:
            if (dest / new).exists():
                raise DocsError(f"{rel} and {new} both become {new.with_suffix('.html')}")
            p.rename(dest / new)
            renames[rel.stem] = new.stem
        pages[rel.as_posix()] = new.with_suffix(".html").as_posix()
    for p in [*dest.rglob("*.ipynb"), *dest.glob("*.yml")]:
        nb_text = p.read_text()
        if p.suffix == ".ipynb":  # strip the `output-file` smalldocs does not read, so it does not warn
            nb_text = re.sub(r'output-file: [^\\"]*\\n', "", nb_text)
        p.write_text(_rename_refs(nb_text, renames))
    # nbdev writes sidebar.yml into nbs/ (custom_sidebar false); write it only into the staged copy
    from nbdev.quarto import nbdev_sidebar

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        nbdev_sidebar.__wrapped__(path=str(NBS), printit=True)
    (dest / "sidebar.yml").write_text(_rename_refs(buf.getvalue(), renames))
    for name in ("_quarto.yml", "nbdev.yml"):
        f = dest / name
        if f.exists():
            f.write_text(yaml.safe_dump(_drop(yaml.safe_load(f.read_text()) or {}, QUARTO_ONLY), sort_keys=False))
    return pages


def render(staged: Path, out: Path = DOCS) -> list[str]:
    "Render the staged project with smalldocs into `out`; returns smalldocs' warnings (broken links among them)."
    from smalldocs.config import load
    from smalldocs.site import Site

    site = Site(load(staged), quiet=True)
    tmp_out = staged / "_docs"
    site.out = tmp_out
    site.build()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(tmp_out, out)
    return list(site.warnings)


def build(workers: int = 0, quiet: bool = False, force: bool = False) -> tuple[dict[str, str], list[str]]:
    "Process the notebooks (all of them with `force`, else those changed), stage them and render the site into `_docs/`."
    proc(workers, quiet, force)
    with tempfile.TemporaryDirectory(prefix="hcal-docs-") as tmp:
        staged = Path(tmp) / "site"
        pages = stage(staged)
        warnings = render(staged)
        # keep what the checks compare against: the processed notebooks under their page names
        keep = DOCS.parent / "_proc" / ".staged"
        if keep.exists():
            shutil.rmtree(keep)
        shutil.copytree(staged, keep, ignore=shutil.ignore_patterns("_docs"))
    return pages, warnings


# ------------------------------------------------------------------ README from index.ipynb


def _cell_options(code: str) -> tuple[dict, str]:
    "Quarto's `#| key: value` options at the top of a cell, and the code without them."
    lines, opts = code.split("\n"), []
    while lines and lines[0].startswith("#|"):
        opts.append(lines.pop(0)[2:].strip())
    try:
        parsed = yaml.safe_load("\n".join(opts)) if opts else {}
    except yaml.YAMLError:
        parsed = {}
    return (parsed if isinstance(parsed, dict) else {}), "\n".join(lines)


def _text(v) -> str:
    return "".join(v) if isinstance(v, list) else (v or "")


def _readme_links(md: str, site: str) -> str:
    "Links from the home page, made to work from the repository root: pages go to the published site, files to nbs/."

    def fix(m):
        bang, label, target = m.group(1), m.group(2), m.group(3)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target, re.I):
            return m.group(0)
        path, _, frag = target.partition("#")
        if path.endswith((".ipynb", ".qmd", ".html")) and not bang:
            page = html_name(Path(path)) if path.endswith(".ipynb") else Path(path).with_suffix(".html").name
            return f"[{label}]({site}/{page}{'#' + frag if frag else ''})"
        return f"{bang}[{label}](nbs/{target})"

    return re.sub(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", fix, md)


def readme_text(index: Path | None = None) -> tuple[str, dict[str, bytes]]:
    "README.md's text and its figures {relative path: bytes}, from the processed `index.ipynb`."
    index = index or PROC / "index.ipynb"
    if not index.exists():
        raise DocsError(f"{index.relative_to(ROOT)} not found: is there an nbs/index.ipynb?")
    cfg = nbdev_cfg()
    site = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip("/")
    nb = json.loads(index.read_text())
    fm = _frontmatter(nb)
    parts, files = [README_NOTE], {}
    if fm.get("title"):
        parts.append(f"# {fm['title']}")
    if fm.get("description"):
        parts.append(f"> {fm['description']}")
    for n, cell in enumerate(nb["cells"]):
        src = _text(cell["source"])
        if cell["cell_type"] == "raw" or "WARNING: THIS FILE WAS AUTOGENERATED" in src:
            continue
        if cell["cell_type"] == "markdown":
            parts.append(_readme_links(src.strip("\n"), site))
            continue
        opts, code = _cell_options(src)
        if opts.get("include") is False:
            continue
        if opts.get("echo", True) is not False and code.strip():
            parts.append(f"```python\n{code.rstrip()}\n```")
        if opts.get("output", True) is False:
            continue
        k = 0
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream" and out.get("name") != "stderr":
                parts.append(f"```\n{_text(out['text']).rstrip()}\n```")
                continue
            data = out.get("data") or {}
            if "image/png" in data:
                k += 1
                name = f"{README_FILES.name}/figure-commonmark/cell-{n}-output-{k}.png"
                files[name] = base64.b64decode(_text(data["image/png"]))
                alt = opts.get("fig-alt") or opts.get("fig-cap") or ""
                parts.append(f"![{alt}]({name})")
            elif "text/markdown" in data:
                parts.append(_readme_links(_text(data["text/markdown"]).strip("\n"), site))
            elif "text/html" in data:
                h = re.sub(r"<style.*?</style>", "", _text(data["text/html"]), flags=re.S)
                parts.append(h.strip())
            elif "text/plain" in data:
                parts.append(f"```\n{_text(data['text/plain']).rstrip()}\n```")
    return "\n\n".join(parts) + "\n", files


def write_readme() -> None:
    "Write README.md and its figures from nbs/index.ipynb."
    proc(quiet=True)
    text, files = readme_text()
    if README_FILES.exists():
        shutil.rmtree(README_FILES)
    for name, data in files.items():
        (ROOT / name).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / name).write_bytes(data)
    README.write_text(text)
    print(f"wrote README.md ({len(text.splitlines())} lines) and {len(files)} figure(s) from nbs/index.ipynb")


def check_readme() -> list[str]:
    "README.md and its figures agree with what nbs/index.ipynb gives."
    fix = "README.md is generated from nbs/index.ipynb: run `python tools/docs.py readme` and commit README.md and index_files/"
    text, files = readme_text()
    if not README.exists():
        return [f"README.md is missing. {fix}"]
    have = README.read_text()
    problems = []
    if have != text:
        diff = list(difflib.unified_diff(have.splitlines(), text.splitlines(), "README.md", "from nbs/index.ipynb", lineterm="", n=1))
        shown = "\n".join("    " + d for d in diff[:30]) + ("\n    ..." if len(diff) > 30 else "")
        problems.append(f"README.md differs from nbs/index.ipynb. {fix}\n{shown}")
    old = {p.relative_to(ROOT).as_posix() for p in README_FILES.rglob("*") if p.is_file()} if README_FILES.exists() else set()
    for name in sorted(old ^ set(files)):
        problems.append(f"{name}: {'missing' if name in files else 'left over'}. {fix}")
    for name in sorted(old & set(files)):
        if (ROOT / name).read_bytes() != files[name]:
            problems.append(f"{name}: differs from the figure in nbs/index.ipynb. {fix}")
    return problems


# ------------------------------------------------------------------ checking the built site


class _Page(HTMLParser):
    "What the checks need from a page: ids, links, images, text outside code, and the main content's classes."

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.images, self.classes = set(), [], [], []
        self.text, self.code_text, self._code, self._skip = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if a.get("class"):
            self.classes += a["class"].split()
        if tag in ("a", "link") and a.get("href"):
            self.links.append((tag, a["href"]))
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.links.append((tag, a["src"]))
        if tag == "img":
            self.images.append(a.get("src") or "")
        if tag in ("pre", "code"):
            self._code += 1
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("pre", "code"):
            self._code = max(0, self._code - 1)
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if self._skip:
            return
        (self.code_text if self._code else self.text).append(data)


def parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _image_ok(src: str, page: Path, out: Path) -> str | None:
    "Why an image does not show, or None when it does."
    if src.startswith("data:"):
        m = re.match(r"data:(image/[\w+.-]+);base64,(.*)", src, re.S)
        if not m:
            return "not a base64 image"
        try:
            data = base64.b64decode(m.group(2), validate=True)
        except ValueError:
            return "bad base64"
        if m.group(1) == "image/png" and not data.startswith(b"\x89PNG"):
            return "not a PNG"
        return None if len(data) > 100 else "empty image"
    u = urlsplit(src)
    if u.scheme or u.netloc:
        return None
    f = (page.parent / unquote(u.path)).resolve()
    return None if f.is_file() and f.stat().st_size > 0 else "file missing"


def _expected_figures(nb: dict) -> int:
    "How many pictures the page of a processed notebook should show: image outputs of cells that show output."
    n = 0
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        opts, _ = _cell_options(_text(c["source"]))
        if opts.get("include") is False or opts.get("output", True) is False:
            continue
        tags = set((c.get("metadata") or {}).get("tags") or [])
        if tags & {"remove-cell", "remove-output"}:
            continue
        for o in c.get("outputs", []):
            d = o.get("data") or {}
            if any(m in d for m in ("image/png", "image/jpeg", "image/gif", "image/svg+xml")) and "text/html" not in d:
                n += 1
    return n


DRAWS = re.compile(r"(^|\n)\s*(fig|plt\.show\(\)|\w*plot_\w+\(.*\)|\w*_figure\(.*\))\s*$")


def _unsaved_figures(nb: dict) -> int:
    "Shown code cells that end by drawing (a figure, `plt.show()`, `plot_*(...)`) but have no saved output."
    n = 0
    for c in nb["cells"]:
        if c["cell_type"] != "code" or c.get("outputs"):
            continue
        opts, code = _cell_options(_text(c["source"]))
        if opts.get("include") is False or opts.get("output", True) is False:
            continue
        if DRAWS.search(code.rstrip()):
            n += 1
    return n


def _api_names() -> dict[str, set[str]]:
    "Exported top-level names, by the page nbdev says documents them: {page: {anchor}}."
    cfg = nbdev_cfg()
    modidx = ROOT / cfg.lib_path.name / "_modidx.py"
    if not modidx.exists():
        return {}
    ns: dict = {}
    exec(modidx.read_text(), ns)
    out: dict[str, set[str]] = {}
    for mod, syms in ns["d"].get("syms", {}).items():
        for sym, (link, _) in syms.items():
            name = sym[len(mod) + 1 :]
            if "." in name or name.startswith("_"):  # methods are documented only when a chapter shows them
                continue
            page, _, anchor = link.partition("#")
            out.setdefault(page, set()).add(anchor)
    return out


def check_site(pages: dict[str, str], warnings: list[str], out: Path = DOCS) -> tuple[list[str], list[str], int]:
    "Check the built site. Returns (problems, notes, number of checks made)."
    problems, notes, n = [], [], 0
    cfg = nbdev_cfg()
    site_url = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip("/") + "/"
    staged = PROC / ".staged"
    for e in PROC_ERRORS:
        problems.append(e)
    for w in warnings:
        n += 1
        if " broken link " not in w:  # the link check below finds those, in the built pages, anchors included
            problems.append(f"smalldocs: {w}")
    parsed: dict[str, _Page] = {}
    for f in sorted(out.rglob("*.html")):
        parsed[f.relative_to(out).as_posix()] = parse(f)

    # every notebook has a page; its figures are there; no raw directive, no traceback
    for nb_rel, page in sorted(pages.items()):
        n += 1
        f = out / page
        if page not in parsed:
            problems.append(f"nbs/{nb_rel}: no page {page} in {out.name}/")
            continue
        p = parsed[page]
        nb = json.loads((staged / Path(page).with_suffix(".ipynb")).read_text())
        want = _expected_figures(nb)
        have = sum(1 for s in p.images if s.startswith("data:image")) + f.read_text().count("<svg")
        n += 1
        if have < want:
            problems.append(f"{page}: shows {have} figure(s), nbs/{nb_rel} has {want} in its saved outputs")
        unsaved = _unsaved_figures(nb)
        if unsaved:
            notes.append(f"{page}: {unsaved} cell(s) that draw a figure have no saved output: were nbs/{nb_rel}'s outputs saved?")
        main = "".join(p.text)
        for line in (main + "\n" + "".join(p.code_text)).splitlines():
            if line.lstrip().startswith("#|"):
                problems.append(f"{page}: shows a raw directive: {line.strip()[:80]}")
                break
        for bad, why in ((":::", "an unrendered div fence"), ("{=html}", "an unrendered raw block"), ("{{<", "an unexpanded shortcode")):
            if bad in main:
                i = main.index(bad)
                problems.append(f"{page}: shows {why}: {main[max(0, i - 30):i + 40]!r}")
        n += 1
        if "cell-output-error" in p.classes or "Traceback (most recent call last)" in "".join(p.code_text):
            problems.append(f"{page}: shows a traceback (an error output saved in nbs/{nb_rel})")
        if "cell-output-stderr" in p.classes:
            notes.append(f"{page}: shows stderr output (warnings or progress bars) saved in nbs/{nb_rel}")
        if not re.search(r"<h1[^>]*>", f.read_text()):
            problems.append(f"{page}: has no title (a `# Title` markdown cell)")

    # every picture shows, every internal link and anchor resolves
    broken: dict[tuple[str, str], list[str]] = {}
    for page, p in parsed.items():
        f = out / page
        for src in p.images:
            n += 1
            why = _image_ok(src, f, out)
            if why:
                problems.append(f"{page}: broken image {src[:60]!r}: {why}")
        for tag, href in p.links:
            target = None
            if href.startswith(site_url):
                target = href[len(site_url):]
                base = out
            elif not re.match(r"^[a-z][a-z0-9+.-]*:|^//", href, re.I):
                target, base = href, f.parent
            if target is None:
                continue
            n += 1
            u = urlsplit(target)
            path = unquote(u.path)
            dest = (base / path).resolve() if path else f.resolve()
            if dest.is_dir():
                dest = dest / "index.html"
            if not dest.exists():
                if dest.name in FAILED_PAGES and dest.parent == out.resolve():
                    continue  # its notebook's failure is reported above
                broken.setdefault((page, href.split("#")[0] or href), []).append(href)
                continue
            if u.fragment and dest.suffix == ".html":
                ids = parsed.get(dest.relative_to(out.resolve()).as_posix()) or parse(dest)
                if u.fragment not in ids.ids and unquote(u.fragment) not in ids.ids:
                    problems.append(f"{page}: link {href}: no #{u.fragment} in {dest.name}")

    for (page, target), hrefs in broken.items():
        more = f" ({len(hrefs)} links, e.g. {hrefs[0]})" if len(hrefs) > 1 else (f" ({hrefs[0]})" if hrefs[0] != target else "")
        problems.append(f"{page}: broken link to {target}{more}")

    # the API reference: every exported name has its entry where nbdev's links point
    for page, anchors in sorted(_api_names().items()):
        p = parsed.get(page)
        n += 1
        if p is None and page in FAILED_PAGES:
            continue
        if p is None:
            problems.append(f"API reference: nbdev links symbols to {page}, which was not built")
            continue
        lower = {i.lower() for i in p.ids}
        missing = sorted(a for a in anchors if a.lower() not in lower)
        if missing:
            problems.append(f"{page}: no API reference (show_doc) for {', '.join(missing)}")

    # search: the index covers every page, and each page has the search box
    n += 1
    sj = out / "search.json"
    if not sj.exists():
        problems.append("search: no search.json")
    else:
        entries = json.loads(sj.read_text())
        covered = {e.get("href", "").split("#")[0] for e in entries}
        for page in sorted(set(pages.values()) - covered):
            problems.append(f"search: {page} is not in search.json")
    if not (out / "site_libs").exists() or not list((out / "site_libs").rglob("fuse*.js")):
        problems.append("search: the search script (fuse) is not in site_libs/")
    for page in pages.values():
        if page in parsed and "smalldocs-search" not in parsed[page].classes:
            problems.append(f"search: {page} has no search box")

    # the home page: what it is, a figure and a table
    home = parsed.get("index.html")
    n += 1
    if home is None:
        problems.append("index.html: no home page (nbs/index.ipynb)")
    else:
        text = (out / "index.html").read_text()
        if not re.search(r'<img[^>]+src="data:image|<svg', text):
            problems.append("index.html: the home page shows no figure")
        if "<table" not in text:
            problems.append("index.html: the home page shows no table (the result table)")
    return problems, notes, n


def run_check(workers: int = 0) -> int:
    "Build the site and check it, and README.md against nbs/index.ipynb. Prints one line per problem."
    from smalldocs.config import BuildError, ConfigError

    try:
        pages, warnings = build(workers, quiet=True, force=True)  # a cached _proc/ can hold links made before a symbol moved
    except (DocsError, BuildError, ConfigError) as e:
        for p in PROC_ERRORS:
            print(f"FAIL: {p}")
        print(f"docs: FAILED to build: {e}")
        return 1
    problems, notes, n = check_site(pages, warnings)
    try:
        readme = check_readme()
    except DocsError as e:
        readme = [str(e)]
    n += 1
    problems += readme
    for note in notes:
        print(f"note: {note}")
    for p in problems:
        print(f"FAIL: {p}")
    print(f"docs: {len(pages)} page(s) built into _docs/, {n} checks; " + ("all passed" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


# ------------------------------------------------------------------ looking at it in Chromium


def _cut(png: bytes, out_dir: Path, stem: str, height: int = 1600) -> list[Path]:
    "Cut a full-page screenshot into screen-sized parts that an image viewer shows legibly."
    from PIL import Image

    for old in out_dir.glob(f"{stem}-*.png"):
        old.unlink()
    im = Image.open(io.BytesIO(png))
    parts = []
    for k, top in enumerate(range(0, im.height, height), 1):
        p = out_dir / f"{stem}-{k}.png"
        im.crop((0, top, im.width, min(im.height, top + height))).save(p)
        parts.append(p)
    return parts


def browse(pages: list[str], out_dir: Path, query: str, width: int = 1280) -> int:
    "Serve `_docs/` on localhost, load each page in headless Chromium, save a screenshot, and try the search."
    from cdp import Browser, serve  # tools/cdp.py: a small Chrome DevTools Protocol client

    if not (os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")):
        raise DocsError("chromium not found: install Debian's package (`apt-get install chromium`), or set CHROMIUM")
    missing = [p for p in pages if not (DOCS / p).is_file()]
    if missing:
        raise DocsError(f"not in _docs/: {', '.join(missing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    problems = []
    with serve(DOCS) as base, Browser() as b:
        for page in pages:
            url = f"{base}/{page}"
            r = b.load(url, width=width)
            stem = Path(page).stem
            shot = out_dir / f"{stem}.png"
            shot.write_bytes(b.screenshot(full_page=False))
            parts = _cut(b.screenshot(full_page=True), out_dir, stem)
            print(f"{page}: {r['title']!r}, {r['images']} image(s), {r['broken']} broken; screenshots {shot} "
                  f"(first screen) and {len(parts)} part(s) of the whole page, {stem}-1.png ...")
            if r["broken"]:
                problems.append(f"{page}: {r['broken']} image(s) did not load")
            for e in r["errors"]:
                # no network here: fonts from the web fail to load; browsers ask for a favicon the site has none of
                if "favicon.ico" in e or ("http" in e and base not in e):
                    continue
                problems.append(f"{page}: browser error: {e}")
        hits = b.search(f"{base}/{pages[0]}", query)
        shot = out_dir / "search.png"
        shot.write_bytes(b.screenshot(full_page=False))
        print(f"search {query!r} on {pages[0]}: {len(hits)} result(s) {hits[:5]}, screenshot {shot}")
        if not hits:
            problems.append(f"search: no results for {query!r}")
    for p in problems:
        print(f"FAIL: {p}")
    print(f"browse: {len(pages)} page(s) looked at; " + ("all passed" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/docs.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, help_ in (("build", "process the notebooks and render the site into _docs/"),
                        ("check", "build, then check the site and README.md; exit 1 on any problem"),
                        ("readme", "write README.md and index_files/ from nbs/index.ipynb")):
        s = sub.add_parser(name, help=help_)
        s.add_argument("--workers", type=int, default=0, help="nbdev processing workers (0: in this process)")
    s = sub.add_parser("browse", help="build, then screenshot pages in headless Chromium and try the search")
    s.add_argument("pages", nargs="*", help="pages to load (default: index.html and the first chapter)")
    s.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "hcal_ml4dqm_docs_shots", help="where the PNGs go")
    s.add_argument("--query", default="transformer", help="what to type into the search box")
    s.add_argument("--no-build", action="store_true", help="use _docs/ as it is")
    s.add_argument("--workers", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "build":
            pages, warnings = build(a.workers)
            for w in PROC_ERRORS + warnings:
                print(f"warning: {w}")
            print(f"docs: {len(pages)} page(s) in {DOCS.relative_to(ROOT)}/")
            return 0
        if a.cmd == "check":
            return run_check(a.workers)
        if a.cmd == "readme":
            write_readme()
            return 0
        if a.cmd == "browse":
            if not a.no_build:
                pages, _ = build(a.workers, quiet=True)
            else:
                pages = {}
            want = a.pages or ["index.html"] + [pages[k] for k in sorted(pages) if pages[k] != "index.html"][:1]
            sys.path.insert(0, str(Path(__file__).parent))
            return browse(want, a.out, a.query)
    except DocsError as e:
        print(f"docs: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
