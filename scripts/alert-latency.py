#!/usr/bin/env python3
"""Alert latency under load: from a new critical finding appended to a followed file to the
dashboard's bell, the `live --no-tui` NDJSON line and the `--metrics` counter.

Two `tenantwatch live` processes follow the same three files (copies of sample-logs/, read from
their end): the dashboard in a pseudo-terminal (its output scanned for the BEL byte) and
`live --no-tui --metrics 127.0.0.1:0` (its stdout read line by line, its metrics scraped every
10 ms by urllib). A writer thread appends ordinary traffic to all three files (PostgreSQL
statements that carry their tenant predicate, consistent audit requests, tenant-keyed Redis
commands) at --rate lines/s, bounded by --samples. Every ~0.5 s one probe is appended to the
audit log: a request whose token (HS256, the sample config's key) says initech and whose
response carries globex, on a route of its own (so it opens a new critical incident: the bell
rings only for new ones). A `cross_tenant_response` needs no correlation: the audit line alone
is the evidence. The time from the probe's write to each output is measured; the next probe is
written once all three were seen (or --timeout passed, counted as missed).

    python3 scripts/alert-latency.py --tenantwatch .build/release/tenantwatch --samples 60 --rate 600

Prints p50/p90/p99/max per output and exits 1 when a p99 is 1 s or more, or a probe was missed.
"""
import argparse, base64, fcntl, hashlib, hmac, json, os, pty, re, select, shutil, signal, struct
import subprocess, sys, tempfile, termios, threading, time, urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = b"sample-logs-hs256-key-not-for-production-0001"   # sample-logs/tenantwatch.toml
COUNTER = 'tenantwatch_findings_total{kind="cross_tenant_response",severity="critical"}'


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(tenant, now):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": f"user-{tenant}-1", "tenant_id": tenant, "sid": f"sid-{tenant}",
                           "iat": int(now) - 60, "exp": int(now) + 3600}).encode())
    sig = b64(hmac.new(SECRET, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{sig}"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)


def pg_time(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%03d UTC" % int((t % 1) * 1000)


def audit_line(request_id, route, host, caller, response_tenants, tokens, t):
    return json.dumps({"ts": iso(t), "request_id": request_id, "method": "GET", "route": route,
                       "headers": {"authorization": "Bearer " + tokens[caller]}, "host": host, "status": 200,
                       "response": {"tenant_ids": response_tenants, "items": 1}, "duration_ms": 1.0}) + "\n"


def letters(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(97 + r) + s
    return s


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


class Appender:
    """One O_APPEND descriptor per file, shared by the writer and the probes under one lock, so
    lines never interleave."""

    def __init__(self, paths):
        self.fds = {k: os.open(p, os.O_WRONLY | os.O_APPEND) for k, p in paths.items()}
        self.lock = threading.Lock()

    def write(self, key, text):
        with self.lock:
            os.write(self.fds[key], text.encode())
            return time.monotonic()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tenantwatch", default=os.path.join(REPO, ".build/release/tenantwatch"))
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--rate", type=int, default=600, help="background lines per second, all files together")
    ap.add_argument("--window", type=float, default=None,
                    help="[correlation] window_seconds for both followers (default: the config's, 10 s)")
    ap.add_argument("--timeout", type=float, default=None, help="per probe (default: the window + 5 s)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--verbose", action="store_true", help="each probe's times on stderr")
    a = ap.parse_args()
    a.tenantwatch = os.path.abspath(a.tenantwatch)
    if a.timeout is None:
        a.timeout = (a.window if a.window is not None else 10.0) + 5.0

    work = tempfile.mkdtemp(prefix="tw-alert-latency.")
    for name in ("postgresql.log", "audit.log", "redis-monitor.txt", "schema.sql", "tenantwatch.toml"):
        shutil.copy(os.path.join(REPO, "sample-logs", name), work)
    if a.window is not None:
        config = os.path.join(work, "tenantwatch.toml")
        text = open(config).read().replace("[cache]", f"[correlation]\nwindow_seconds = {a.window:g}\n\n[cache]", 1)
        open(config, "w").write(text)
    files = {"pg": os.path.join(work, "postgresql.log"), "audit": os.path.join(work, "audit.log"),
             "redis": os.path.join(work, "redis-monitor.txt")}
    out = Appender(files)
    procs = []

    # The headless follower: NDJSON on stdout, metrics on a free loopback port.
    try:
        headless = subprocess.Popen([a.tenantwatch, "live", "--no-tui", "--config", "tenantwatch.toml", "--store",
                                     "headless.sqlite", "--metrics", "127.0.0.1:0"], cwd=work, stdout=subprocess.PIPE,
                                    stderr=open(os.path.join(work, "headless.err"), "w"))
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    procs.append(headless)
    ndjson = []            # (monotonic time, line)
    ndjson_lock = threading.Lock()

    def read_ndjson():
        for line in headless.stdout:
            with ndjson_lock:
                ndjson.append((time.monotonic(), line.decode("utf-8", "replace")))
            if a.keep:
                with open(os.path.join(work, "headless.ndjson"), "ab") as f:
                    f.write(line)
    threading.Thread(target=read_ndjson, daemon=True).start()

    # The dashboard in a pseudo-terminal, 120x40, xterm-256color; its output drained continuously.
    pid, master = pty.fork()
    if pid == 0:
        os.chdir(work)
        os.environ["TERM"] = "xterm-256color"
        os.execv(a.tenantwatch, [a.tenantwatch, "live", "--config", "tenantwatch.toml", "--store", "tui.sqlite"])
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    bells = []             # monotonic times of BEL bytes outside escape sequences
    screen_bytes = [0]

    def read_pty():
        in_osc = False
        prev = 0
        while True:
            try:
                r, _, _ = select.select([master], [], [], 0.5)
                if not r:
                    continue
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.monotonic()
            screen_bytes[0] += len(data)
            for b in data:
                if in_osc:
                    if b == 0x07 or (prev == 0x1B and b == 0x5C):
                        in_osc = False
                elif prev == 0x1B and b == 0x5D:     # ESC ] starts an OSC, which BEL may end
                    in_osc = True
                elif b == 0x07:
                    bells.append(now)
                prev = b
    threading.Thread(target=read_pty, daemon=True).start()

    def stop_all():
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    try:
        deadline = time.monotonic() + 20
        url = None
        while time.monotonic() < deadline and url is None:
            m = re.search(r"http://127\.0\.0\.1:\d+/metrics", open(os.path.join(work, "headless.err")).read())
            url = m.group(0) if m else None
            time.sleep(0.05)
        if url is None:
            sys.exit("no metrics address: " + open(os.path.join(work, "headless.err")).read()[:400])
        while time.monotonic() < deadline and screen_bytes[0] < 200:
            time.sleep(0.05)

        def counter():
            body = urllib.request.urlopen(url, timeout=5).read().decode()
            for line in body.splitlines():
                if line.startswith(COUNTER + " "):
                    return float(line.split()[-1])
            return 0.0
        counts = []            # (monotonic time, value), appended by the scraper
        scraping = threading.Event()
        scraping.set()

        def scrape():
            while scraping.is_set():
                try:
                    counts.append((time.monotonic(), counter()))
                except OSError:
                    pass
                time.sleep(0.01)
        threading.Thread(target=scrape, daemon=True).start()

        now = time.time()
        tokens = {t: token(t, now) for t in ("acme", "globex", "initech")}
        stop_writer = threading.Event()
        written = [0]
        budget = int(a.rate * (a.samples * (a.timeout + 1) + 30))     # the writer's bound

        def writer():
            n = 0
            interval = 3.0 / a.rate      # one line to each of the three files per turn
            next_t = time.monotonic()
            while not stop_writer.is_set() and n < budget:
                t = time.time()
                tenant = ("acme", "globex", "initech")[n % 3]
                out.write("pg", f"{pg_time(t)} [20{n % 50:03d}] app@saas/billing-api sess=6b0631ae.{n % 50:04x} LOG:  "
                                f"statement: SELECT id, total FROM invoices WHERE tenant_id = '{tenant}' AND id = {n % 997};\n")
                out.write("audit", audit_line(f"load-{n}", "/invoices", f"{tenant}.example.com", tenant, [tenant], tokens, t))
                out.write("redis", f'{t:.6f} [0 127.0.0.1:52552] "GET" "{tenant}:invoice:{n % 997}"\n')
                n += 3
                written[0] = n
                next_t += interval
                pause = next_t - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
        wt = threading.Thread(target=writer, daemon=True)
        wt.start()
        time.sleep(2)          # the followers reach steady state under the load

        lat = {"bell": [], "ndjson": [], "metrics": []}
        missed = {"bell": 0, "ndjson": 0, "metrics": 0}
        for i in range(a.samples):
            rid = f"probe-{i}"
            with ndjson_lock:
                seen_lines = len(ndjson)
            seen_bells = len(bells)
            base = counter()       # read now: the previous probe's increment is in it
            t0 = out.write("audit", audit_line(rid, f"/latency-probe-{letters(i)}", "initech.example.com", "initech",
                                               ["globex"], tokens, time.time()))
            got = {}
            while len(got) < 3 and time.monotonic() - t0 < a.timeout:
                if "bell" not in got and len(bells) > seen_bells:
                    got["bell"] = bells[seen_bells] - t0
                if "ndjson" not in got:
                    with ndjson_lock:
                        hit = next((t for t, l in ndjson[seen_lines:] if '"finding"' in l and rid in l), None)
                    if hit is not None:
                        got["ndjson"] = hit - t0
                if "metrics" not in got:
                    hit = next((t for t, v in list(counts) if t >= t0 and v > base), None)
                    if hit is not None:
                        got["metrics"] = hit - t0
                time.sleep(0.005)
            if a.verbose:
                with ndjson_lock:
                    arrived = [(round(t - t0, 3), l[:60]) for t, l in ndjson[seen_lines:]]
                print(rid, {k: round(v, 3) for k, v in got.items()}, "ndjson since:", arrived, file=sys.stderr)
            for k in lat:
                if k in got:
                    lat[k].append(got[k])
                else:
                    missed[k] += 1
            time.sleep(0.3 + (i % 5) * 0.05)
        stop_writer.set()
        scraping.clear()
        wt.join(timeout=5)

        load = os.getloadavg()
        window = f"{a.window:g} s" if a.window is not None else "the config's (10 s)"
        print(f"{a.samples} probes, correlation window {window}, background {a.rate} lines/s ({written[0]} lines written), "
              f"load {load[0]:.1f} {load[1]:.1f}, binary {a.tenantwatch}")
        print(f"{'output':<10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'missed':>7}")
        failed = False
        for k, v in lat.items():
            if v:
                p50, p90, p99, mx = (percentile(v, 50) * 1000, percentile(v, 90) * 1000,
                                     percentile(v, 99) * 1000, max(v) * 1000)
                print(f"{k:<10} {p50:8.1f} {p90:8.1f} {p99:8.1f} {mx:8.1f} {missed[k]:7d}")
                failed |= p99 >= 1000
            else:
                print(f"{k:<10} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {missed[k]:7d}")
            failed |= missed[k] > 0
        print("(metrics resolution: scraped every 10 ms; bell: BEL byte read from the dashboard's terminal)")
        return 1 if failed else 0
    finally:
        stop_all()
        if a.keep:
            print("work directory:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
