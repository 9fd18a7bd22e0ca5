"""A small Chrome DevTools Protocol client over `--remote-debugging-pipe`, standard library only.

Used by `python tools/docs.py browse` to look at the built site as a reader would: load a page over HTTP,
see which images failed and which scripts threw, take a screenshot, and type into the search box.
Needs Debian's `chromium` (`apt-get install chromium`); set CHROMIUM to use another binary.
"""

import base64
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path


@contextlib.contextmanager
def serve(folder: Path):
    "Serve `folder` on 127.0.0.1 (a free port) in a thread; yields the base URL."
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Browser:
    "Headless Chromium driven through the DevTools pipe (fd 3 to it, fd 4 from it)."

    def __init__(self, binary: str | None = None, timeout: float = 30):
        self.binary = binary or os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
        if not self.binary:
            raise RuntimeError("chromium not found: `apt-get install chromium` (Debian's package), or set CHROMIUM")
        self.timeout = timeout
        self._id = 0
        self.events: list[dict] = []

    def __enter__(self):
        self._profile = tempfile.mkdtemp(prefix="hcal-chromium-")
        to_r, to_w = os.pipe()  # we write commands, chromium reads fd 3
        from_r, from_w = os.pipe()  # chromium writes fd 4, we read
        args = [self.binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", f"--user-data-dir={self._profile}",
                "about:blank"]

        def fds():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._w, self._r, self._buf = os.fdopen(to_w, "wb", buffering=0), os.fdopen(from_r, "rb", buffering=0), b""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self._profile, ignore_errors=True)

    # -------------------------------------------------------------- the protocol

    def _read(self) -> dict:
        deadline = time.time() + self.timeout
        while b"\0" not in self._buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = self._r.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, session: bool = False, **params) -> dict:
        "Send one command and wait for its answer, keeping the events that arrive meanwhile."
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self._w.write(json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            self.events.append(m)

    def eval(self, expr: str):
        "Evaluate JavaScript in the page (awaiting a promise) and return its value."
        r = self.send("Runtime.evaluate", session=True, expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JavaScript: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    # -------------------------------------------------------------- what the docs check uses

    def load(self, url: str, width: int = 1280, height: int = 900) -> dict:
        "Open `url`, wait until it and its images have loaded; report title, images, broken images and script errors."
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.send("Page.navigate", session=True, url=url)
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            if self.eval("document.readyState") == "complete" and self.eval("[...document.images].every(i => i.complete)"):
                break
            time.sleep(0.2)
        time.sleep(0.5)  # the page's own scripts (highlighting, anchors) run after load
        info = self.eval("""({title: document.title,
            images: document.images.length,
            broken: [...document.images].filter(i => !i.naturalWidth).length})""")
        errors = [e["params"]["exceptionDetails"].get("exception", {}).get("description") or e["params"]["exceptionDetails"].get("text")
                  for e in self.events if e.get("method") == "Runtime.exceptionThrown"]
        errors += [e["params"]["entry"]["text"] + " " + e["params"]["entry"].get("url", "")
                   for e in self.events if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
        return {**info, "errors": errors}

    def screenshot(self, full_page: bool = True) -> bytes:
        "A PNG of the page: all of it, or what the window shows."
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            w, h = self.eval("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": w, "height": min(h, 16000), "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", session=True, **params)["data"])

    def search(self, url: str, query: str) -> list[str]:
        "Type `query` into the page's search box, as a reader would; return the titles of the results shown."
        self.load(url)
        self.eval("""(() => { const b = [...document.querySelectorAll('.smalldocs-search')].find(b => b.offsetParent !== null)
                      || document.querySelector('.smalldocs-search');
                      b.classList.add('sd-open'); const i = b.querySelector('input'); i.focus(); return true; })()""")
        self.send("Input.insertText", session=True, text=query)
        deadline = time.time() + 10
        while time.time() < deadline:
            hits = self.eval("[...document.querySelectorAll('.smalldocs-search-results.show .search-result-title')].map(e => e.textContent)")
            none = self.eval("!!document.querySelector('.smalldocs-search-results.show .search-none')")
            if hits or none:
                return hits or []
            time.sleep(0.2)
        return []
