#!/usr/bin/env python3
"""Opens an HTML report (innoscope report --format html) in headless Chromium and checks it.

    report_browser_check.py DIR [--regions regions.csv --kind province] [--names A,B]
                                [--screenshot OUT.png] [--width 1400]
    report_browser_check.py --self-test

Chromium (Debian's `chromium`) runs headless as root in a new empty profile, with networking
off for the page (every host resolves to nothing, a proxy that does not exist) and is driven
over the DevTools protocol on a pipe (--remote-debugging-pipe: file descriptors 3 and 4,
NUL-separated JSON), standard library only. The check fails on:
  - any console message of level error or warning, any uncaught exception, any log entry of
    level error (Runtime.consoleAPICalled, Runtime.exceptionThrown, Log.entryAdded);
  - any request for something other than the report's own file:// URL, and any request that
    fails (Network.requestWillBeSent, Network.loadingFailed);
  - a chart area that is blank: in a full-page PNG screenshot (Page.captureScreenshot beyond
    the viewport, decoded with Debian's python3-pil), the grey levels inside each
    <figure>'s <svg> must vary (standard deviation > 8);
  - a region name missing from the rendered text (document.body.innerText);
  - an SVG in DIR/charts that xmllint (Debian's libxml2-utils) does not find well-formed.
--self-test plants a page with a remote image, a console error and a blank chart and checks
that each is reported (a check that cannot fail is no check). Exit 0 when all is well.
"""

import argparse
import csv
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class DevTools:
    """One Chromium process and its DevTools pipe."""

    def __init__(self, profile):
        read_in, write_in = os.pipe()    # we write commands; Chromium reads fd 3
        read_out, write_out = os.pipe()  # Chromium writes fd 4; we read events
        def child_fds():
            os.dup2(read_in, 3)
            os.dup2(write_out, 4)
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--disable-default-apps",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
             "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(read_in)
        os.close(write_out)
        self.writer = os.fdopen(write_in, "wb", buffering=0)
        self.reader = os.fdopen(read_out, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self):
        while b"\0" not in self.buffer:
            chunk = self.reader.read(1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=True, **params):
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params}
        if session and self.session:
            request["sessionId"] = self.session
        self.writer.write(json.dumps(request).encode() + b"\0")
        while True:
            message = self._read_message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message())
        raise RuntimeError("no %s within %d s" % (method, timeout))

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except Exception:  # already gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def Render(index_html, width, screenshot):
    """Loads the page; returns (problems, rendered text, chart rectangles, PNG path)."""
    profile = tempfile.mkdtemp(prefix="innoscope-chromium-")
    tools = DevTools(profile)
    problems = []
    try:
        target = tools.call("Target.createTarget", session=False, url="about:blank")
        tools.session = tools.call("Target.attachToTarget", session=False,
                                   targetId=target["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(domain + ".enable")
        tools.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                   deviceScaleFactor=1, mobile=False)
        url = "file://" + os.path.abspath(index_html)
        tools.call("Page.navigate", url=url)
        tools.wait_for("Page.loadEventFired")
        metrics = tools.call("Page.getLayoutMetrics")["cssContentSize"]
        height = int(metrics["height"]) + 1
        tools.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                   deviceScaleFactor=1, mobile=False)
        shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        import base64
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        text = tools.call("Runtime.evaluate", expression="document.body.innerText",
                          returnByValue=True)["result"]["value"]
        rects = tools.call(
            "Runtime.evaluate", returnByValue=True,
            expression="JSON.stringify(Array.from(document.querySelectorAll('figure svg'))"
                       ".map(s => { const r = s.getBoundingClientRect(); return {chart: "
                       "s.parentElement.dataset.chart, x: r.left + scrollX, y: r.top + scrollY,"
                       " w: r.width, h: r.height}; }))")["result"]["value"]
        # Drain what arrived meanwhile.
        tools.call("Runtime.evaluate", expression="0")
        for event in tools.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning",
                                                                              "assert"):
                problems.append("console %s: %s" % (params["type"], [a.get("value") for a in
                                                                      params.get("args", [])]))
            elif method == "Runtime.exceptionThrown":
                problems.append("exception: %s" % params["exceptionDetails"].get("text"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                problems.append("log error: %s" % params["entry"].get("text"))
            elif method == "Network.requestWillBeSent":
                requested = params["request"]["url"]
                if requested != url and not requested.startswith("data:"):
                    problems.append("request to %s" % requested)
            elif method == "Network.loadingFailed":
                problems.append("failed request: %s" % params.get("errorText"))
        return problems, text, json.loads(rects), screenshot
    finally:
        tools.close()
        shutil.rmtree(profile, ignore_errors=True)


def BlankCharts(png, rects):
    image = Image.open(png).convert("L")
    blank = []
    for r in rects:
        box = (int(r["x"]), int(r["y"]), int(r["x"] + r["w"]), int(r["y"] + r["h"]))
        if box[2] - box[0] < 10 or box[3] - box[1] < 10:
            blank.append("%s: no area" % r["chart"])
            continue
        pixels = list(image.crop(box).getdata())
        if statistics.pstdev(pixels) <= 8:
            blank.append("%s: blank (grey-level sd %.1f)" % (r["chart"], statistics.pstdev(pixels)))
    return blank


def Check(report_dir, names, width=1400, screenshot=None):
    problems = []
    index_html = os.path.join(report_dir, "index.html")
    for svg in sorted(glob.glob(os.path.join(report_dir, "charts", "*.svg"))):
        result = subprocess.run(["xmllint", "--noout", svg], capture_output=True, text=True)
        if result.returncode != 0:
            problems.append("xmllint %s: %s" % (svg, result.stderr.strip()))
    png = screenshot or os.path.join(tempfile.mkdtemp(prefix="innoscope-shot-"), "report.png")
    rendered, text, rects, png = Render(index_html, width, png)
    problems += rendered
    if not rects:
        problems.append("no chart on the page")
    problems += BlankCharts(png, rects)
    for name in names:
        if name not in text:
            problems.append("region name not rendered: %s" % name)
    return problems, len(rects)


def SelfTest():
    root = tempfile.mkdtemp(prefix="innoscope-selftest-")
    os.makedirs(os.path.join(root, "charts"))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
           '<rect width="200" height="100" fill="#ffffff"/></svg>')
    with open(os.path.join(root, "charts", "blank.svg"), "w") as f:
        f.write(svg)
    with open(os.path.join(root, "charts", "broken.svg"), "w") as f:
        f.write("<svg><g></svg>")
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write('<!DOCTYPE html><html><body><p>Beijing</p>'
                '<img src="http://example.com/x.png"/>'
                '<script>console.error("planted")</script>'
                '<figure data-chart="blank">%s</figure></body></html>' % svg)
    problems, _ = Check(root, ["Beijing", "Atlantis"])
    shutil.rmtree(root, ignore_errors=True)
    expected = ["request to http://example.com/x.png", "console error", "blank: blank",
                "region name not rendered: Atlantis", "xmllint"]
    missing = [e for e in expected if not any(e in p for p in problems)]
    if missing or any("Beijing" in p for p in problems):
        print("self-test FAILED: not reported: %s; reported: %s" % (missing, problems))
        return 1
    print("self-test: every planted problem reported (%d)" % len(problems))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?")
    parser.add_argument("--regions", help="regions CSV (code,name,kind,...,name_en)")
    parser.add_argument("--kind", default="", help="only regions of this kind")
    parser.add_argument("--names", default="", help="names that must be rendered, comma-separated")
    parser.add_argument("--screenshot", help="keep the full-page PNG here")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return SelfTest()
    names = [n for n in args.names.split(",") if n]
    if args.regions:
        for row in csv.DictReader(open(args.regions, encoding="utf-8")):
            if not args.kind or row.get("kind") == args.kind:
                names.append(row.get("name_en") or row["name"])
    problems, charts = Check(args.dir, names, args.width, args.screenshot)
    for p in problems:
        print("report_browser_check: %s" % p)
    if problems:
        return 1
    print("report_browser_check: %s: %d charts rendered, none blank, %d names present, "
          "no console error, no request out" % (args.dir, charts, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
