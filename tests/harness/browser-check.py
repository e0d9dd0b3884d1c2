#!/usr/bin/python3
# browser-check.py — open one HTML file in headless Chromium, offline, and
# print what a browser saw of it as one JSON object.
#
#   browser-check.py [--timezone ZONE] [--screenshot PNG] [--timeout S]
#                    [--text S]... FILE
#
# The page is loaded from file:// with the network cut three ways: a proxy
# on a closed port, a host resolver that resolves nothing, and CDP's
# offline emulation.  Before any page script runs, a listener records every
# securitypolicyviolation event.  After the load it collects
#
#   console      every browser-log message (level ALL): level, source, text
#   csp          the recorded violations, plus console messages that name
#                the Content Security Policy
#   requests     every Network.requestWillBeSent other than the file itself
#   sections     the ids of <section id> in document order; toc: <nav id=toc>
#   csp_meta     the content of <meta http-equiv=Content-Security-Policy>
#   findings     the number of article.finding; finding_ids their ids
#   query_rows   the number of rows with id="q-<16 hex>"
#   charts       the number of svg.chart; ticks the text of each
#                svg.chart text.tick, in document order
#   sort         for each header of the query table (the one holding the
#                q- rows): whether a click changed the rows' order and left
#                that column in order (by value, durations in ms, when every
#                cell is a number), and whether it is such a column
#   handlers     the number of elements with an inline on* attribute
#   texts        for each --text S, how often S occurs in the page's text
#                nodes (those outside script, style and template)
#   pwned        typeof window.__pwned ("undefined" when nothing ran), after
#                the load and again after the header clicks
#   timezone     what the page's Intl reports as its time zone
#
# and saves a full-page screenshot when asked (screenshot: its path and
# size, the viewport's and the document's height; at most 16384 px high).  It exits 0 when it ran
# (judging the page is the test's job: tests/report/test_report_browser.c),
# 2 when Chromium, ChromeDriver or Selenium is missing, 3 when the run
# failed or overran its timeout.  ChromeDriver runs in its own session and
# Chromium with a profile of its own; both are killed on every exit.
#
# TZ is set for ChromeDriver and Chromium to --timezone, which CDP's
# Emulation.setTimezoneOverride also sets for the page.

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

CHROMIUM = os.environ.get("PGSIFT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PGSIFT_CHROMEDRIVER", "/usr/bin/chromedriver")
MAX_SHOT_HEIGHT = 16384

# Runs in every new document before the page's own scripts.  CDP's scripts
# are not subject to the page's CSP, so this one is never blocked.
RECORDER = r"""
(function () {
  var seen = [];
  Object.defineProperty(window, '__pgsiftCsp', { value: seen });
  document.addEventListener('securitypolicyviolation', function (e) {
    seen.push({ directive: e.violatedDirective, effective: e.effectiveDirective,
                blocked: String(e.blockedURI), sample: e.sample || '',
                source: e.sourceFile || '', line: e.lineNumber || 0 });
  }, true);
})();
"""

# What the page holds once loaded.
COLLECT = r"""
var texts = arguments[0], counts = {};
var walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT, {
  acceptNode: function (n) {
    return n.parentElement && n.parentElement.closest('script, style, template')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
  }
});
var all = [];
for (var n = walker.nextNode(); n; n = walker.nextNode()) all.push(n.nodeValue);
all = all.join('');
texts.forEach(function (t) { counts[t] = t ? all.split(t).length - 1 : 0; });
var handlers = Array.from(document.querySelectorAll('*')).filter(function (e) {
  return Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); });
}).length;
var meta = document.querySelector('meta[http-equiv="Content-Security-Policy" i]');
return {
  sections: Array.from(document.querySelectorAll('section[id]')).map(function (s) { return s.id; }),
  toc: document.querySelector('nav#toc') !== null,
  csp_meta: meta ? meta.getAttribute('content') : null,
  finding_ids: Array.from(document.querySelectorAll('article.finding')).map(function (a) { return a.id; }),
  query_rows: document.querySelectorAll('[id^="q-"]').length,
  query_row_ids: Array.from(document.querySelectorAll('[id^="q-"]')).map(function (r) { return r.id; }),
  charts: document.querySelectorAll('svg.chart').length,
  ticks: Array.from(document.querySelectorAll('svg.chart text.tick')).map(function (t) { return t.textContent; }),
  handlers: handlers,
  texts: counts,
  pwned: typeof window.__pwned,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  title: document.title
};
"""

# The query table's headers, or null: the table whose body holds the
# q-<16 hex> rows.
HEADERS = r"""
var row = document.querySelector('tr[id^="q-"]');
if (!row) return null;
var table = row.closest('table');
window.__pgsiftTable = table;
return Array.from(table.querySelectorAll('thead th')).map(function (th) { return th.textContent.trim(); });
"""

# The query rows' ids and the text of column i, in their current order.
ROWS = r"""
var i = arguments[0];
var rows = Array.from(window.__pgsiftTable.querySelectorAll('tr[id^="q-"]'));
return rows.map(function (r) {
  var c = r.children[i];
  return [r.id, c ? c.textContent.trim() : ''];
});
"""


def parse_args():
    p = argparse.ArgumentParser(description="Load an HTML file in headless Chromium, offline; print JSON.")
    p.add_argument("file")
    p.add_argument("--timezone", default="UTC")
    p.add_argument("--screenshot")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--text", action="append", default=[])
    return p.parse_args()


def fail(code, primary, detail=None, hint=None):
    print(f"browser-check: {primary}", file=sys.stderr)
    if detail:
        print(f"DETAIL:  {detail}", file=sys.stderr)
    if hint:
        print(f"HINT:  {hint}", file=sys.stderr)
    sys.exit(code)


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def check_tools():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("python3 module selenium")
    if missing:
        fail(2, "missing " + ", ".join(missing),
             "The browser test needs Debian's chromium, chromium-driver and python3-selenium.",
             "Run tests/harness/install-deps.sh as root (make check does), or set "
             "PGSIFT_BROWSER_TEST=skip to skip the browser suite deliberately.")


# Durations as the report writes them ("850 µs", "2.73 s", "1 min"), in ms.
UNIT_MS = {"µs": 0.001, "us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60000.0, "h": 3600000.0}


def cell_key(text):
    """A cell as a sort key: its number (durations in ms) when it reads as
    one, else its text; None for an empty or "-" cell, which may sort to
    either end."""
    t = re.sub(r"[\s,\u2009\u202f]", "", text)
    if t in ("", "-", "\u2014", "\u2013"):
        return None
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(µs|us|ms|s|min|h|%|x|×)?", t)
    if m:
        return (0, float(m.group(1)) * UNIT_MS.get(m.group(2), 1.0), "")
    return (1, 0.0, text.strip().lower())


def in_order(keys):
    keys = [k for k in keys if k is not None]
    return keys == sorted(keys) or keys == sorted(keys, reverse=True)


def check_sort(driver):
    """Click each header of the query table; report what each click did."""
    headers = driver.execute_script(HEADERS)
    if headers is None:
        return {"table": False, "columns": []}
    columns = []
    ths = driver.execute_script("return Array.from(window.__pgsiftTable.querySelectorAll('thead th'));")
    for i, th in enumerate(ths):
        before = driver.execute_script(ROWS, i)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", th)
        th.click()
        after = driver.execute_script(ROWS, i)
        columns.append({
            "header": headers[i],
            "rows": len(after),
            "changed": [r[0] for r in before] != [r[0] for r in after],
            "ordered": in_order([cell_key(r[1]) for r in after]),
            "numeric": all(k is None or k[0] == 0 for k in (cell_key(r[1]) for r in after)),
            "same_rows": sorted(r[0] for r in before) == sorted(r[0] for r in after),
        })
    return {"table": True, "columns": columns}


def page_logs(driver, kind):
    try:
        return driver.get_log(kind)
    except Exception:
        return []


def network_requests(entries, own_url):
    urls = []
    for entry in entries:
        try:
            msg = json.loads(entry["message"])["message"]
        except (KeyError, ValueError):
            continue
        if msg.get("method") != "Network.requestWillBeSent":
            continue
        url = msg.get("params", {}).get("request", {}).get("url", "")
        if url != own_url:
            urls.append(url)
    return urls


def screenshot(driver, path):
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(1, int(size["width"]))
    height = max(1, min(int(size["height"]), MAX_SHOT_HEIGHT))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return {"path": path, "width": width, "height": height,
            "viewport_height": driver.execute_script("return window.innerHeight;"),
            "document_height": driver.execute_script("return document.documentElement.scrollHeight;")}


def make_driver(profile, timezone, log_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--metrics-recording-only",
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,900",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US",
                f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    env = dict(os.environ, TZ=timezone)
    service = Service(CHROMEDRIVER, log_path=log_path, env=env,
                      popen_kw={"start_new_session": True})
    return webdriver.Chrome(service=service, options=opts), service


def kill_leftovers(service, profile):
    """Kill ChromeDriver's session and every process still using our profile."""
    proc = getattr(service, "process", None)
    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if f"--user-data-dir={profile}".encode() in cmdline:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def run(args, profile, log_path, state):
    driver, service = make_driver(profile, args.timezone, log_path)
    state["service"] = service
    state["driver"] = driver
    driver.set_page_load_timeout(max(5, args.timeout / 2))
    driver.set_script_timeout(10)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": args.timezone})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    page_logs(driver, "browser")
    page_logs(driver, "performance")

    url = "file://" + os.path.abspath(args.file)
    driver.get(url)
    time.sleep(0.5)				# let timers and late loads fire before reading
    out = driver.execute_script(COLLECT, args.text)
    out["file"] = url
    out["findings"] = len(out["finding_ids"])
    out["csp"] = driver.execute_script("return window.__pgsiftCsp || null;")
    out["recorder"] = out["csp"] is not None
    out["csp"] = out["csp"] or []
    if args.screenshot:
        out["screenshot"] = screenshot(driver, args.screenshot)
    out["sort"] = check_sort(driver)
    out["pwned_after_clicks"] = driver.execute_script("return typeof window.__pwned;")
    time.sleep(0.2)
    out["console"] = [{"level": e.get("level"), "source": e.get("source"), "message": e.get("message")}
                      for e in page_logs(driver, "browser")]
    out["csp"] += [{"console": c["message"]} for c in out["console"]
                   if "Content Security Policy" in (c["message"] or "")]
    out["requests"] = network_requests(page_logs(driver, "performance"), url)
    out["browser_version"] = driver.capabilities.get("browserVersion")
    return out


def main():
    args = parse_args()
    if not os.path.isfile(args.file):
        fail(3, f'could not open file "{args.file}": No such file or directory')
    check_tools()
    profile = tempfile.mkdtemp(prefix="pgsift-chromium.")
    log_path = os.path.join(profile, "chromedriver.log")
    state = {}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    code, out, error = 0, None, None
    try:
        out = run(args, profile, log_path, state)
    except Timeout:
        code, error = 3, f"the browser run took longer than {args.timeout:g} s"
    except Exception as e:					# any failure of the browser is a failed run
        code, error = 3, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if "driver" in state:
            try:
                signal.setitimer(signal.ITIMER_REAL, 5)
                state["driver"].quit()
            except Exception:
                pass
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        kill_leftovers(state.get("service"), profile)
    if code != 0:
        tail = ""
        try:
            with open(log_path, errors="replace") as f:
                tail = " | ".join([line for line in f.read().splitlines()
                                   if "SEVERE" in line or "WARNING" in line][-3:])
        except OSError:
            pass
        shutil.rmtree(profile, ignore_errors=True)
        fail(code, f'could not check "{args.file}" in Chromium: {error}',
             f"ChromeDriver's log ends: {tail}" if tail else None)
    shutil.rmtree(profile, ignore_errors=True)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
