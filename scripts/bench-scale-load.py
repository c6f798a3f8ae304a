#!/usr/bin/env python3
"""Builds a long history through the real upload API, with readers browsing meanwhile.

Used by scripts/bench-scale.sh. Sends N readyboard-JSON reports of M checks each, round-robin
over 3 projects × 3 phases × 10 suites, so every suite's runs are spread evenly over the
history. Each report's `run.started_at` / `run.finished_at` are back-dated along one year
ending an hour ago (the server stamps `received_at` itself, on arrival; the harness moves that
afterwards, see bench-scale.sh). Per suite, ~0.5% of checks always fail (marked blocking), ~1% are flaky (fail
in a quarter of runs), ~0.1% fail at random, ~1% are skipped; failures carry a message and a
stack trace. Performance and load suites carry metrics against targets, the security suite
carries findings from a pool (open or resolved). Bodies are assembled from per-suite
fragments, so generating a report costs far less than the server's work on it.

While uploading, reader threads fetch the given pages (rendered afresh: `Cache-Control:
no-cache`) in a closed loop and their latencies are recorded. Stops early at --time-limit
seconds (the figures then say how many reports were sent). Prints one JSON object on stdout.

Usage: bench-scale-load.py --base URL --token PROJECT=TOKEN... --reports N --checks M
         [--workers W] [--time-limit S] [--cookie C] [--reader URLPATH...] [--readers R]
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

PROJECTS = ["atlas", "borealis", "cobalt"]
PHASES = ["alpha", "beta", "ga"]
SUITES = [("unit", "unit"), ("integration", "integration"), ("api", "api"), ("e2e", "e2e"),
          ("smoke", "smoke"), ("contract", "functional"), ("ui", "functional"),
          ("perf", "performance"), ("load", "load"), ("security", "security")]
YEAR_MS = 365 * 86_400_000
MODULES = ["billing", "auth", "catalog", "checkout", "inventory", "search", "shipping", "accounts",
           "payments", "pricing", "gateway", "scheduler", "storage", "orders", "cart", "admin"]
VERBS = ["creates", "updates", "rejects", "calculates", "validates", "expires", "retries", "parses"]
OBJECTS = ["invoice", "token", "session", "line_items", "tax_rate", "refund", "coupon", "shipment"]
METRICS = [("p95_latency_ms", "ms", "<=", 250.0, 180.0), ("p99_latency_ms", "ms", "<=", 600.0, 420.0),
           ("error_rate", "%", "<=", 1.0, 0.4), ("throughput_rps", "req/s", ">=", 800.0, 950.0),
           ("cpu_peak", "%", "<=", 85.0, 70.0), ("heap_peak_mb", "MB", "<=", 1024.0, 800.0),
           ("gc_pause_p99_ms", "ms", "<=", 50.0, 30.0), ("cold_start_ms", "ms", "<=", 1500.0, 1100.0)]
SEVERITIES = ["critical", "high", "high", "medium", "medium", "medium", "low", "low", "low", "info"]


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{int(ms) % 1000:03d}Z"


class Suite:
    """Pre-rendered check fragments of one suite."""

    def __init__(self, project, phase, name, kind, checks, rng):
        self.project, self.phase, self.name, self.kind = project, phase, name, kind
        self.passes, self.fails = [], []
        for i in range(checks):
            mod = rng.choice(MODULES)
            path = f"{mod}.{rng.choice(OBJECTS).title().replace('_', '')}Test"
            cname = f"{rng.choice(VERBS)}_{rng.choice(OBJECTS)}_{i}"
            key = json.dumps(f"{path}::{cname}")
            dur = round(rng.lognormvariate(3.0, 1.0), 1)
            head = f'{{"id":{key},"name":{json.dumps(cname)},"suite_path":{json.dumps(path)},"duration_ms":{dur},'
            self.passes.append(head + '"status":"pass"}')
            msg = f"expected <{rng.randint(1, 999)}> but was <{rng.randint(1, 999)}>"
            frames = "\n".join(f"    at com.example.{rng.choice(MODULES)}.Handler.handle(Handler.java:{rng.randint(10, 900)})"
                               for _ in range(rng.randint(4, 9)))
            self.fails.append(head + f'"status":"fail","message":{json.dumps(msg)},'
                              f'"details":{json.dumps("AssertionError: " + msg + chr(10) + frames)}}}')
        idx = list(range(checks))
        rng.shuffle(idx)
        n = lambda share: max(1, int(checks * share)) if checks >= 50 else 1
        a, b, c = n(0.005), n(0.01), n(0.01)
        self.always = idx[:a]
        self.flaky = idx[a:a + b]
        self.skipped = idx[a + b:a + b + c]
        # The always-failing checks are marked blocking: each is an open blocker of its suite.
        for i in self.always:
            self.passes[i] = self.passes[i].replace('{"id":', '{"blocking":true,"id":', 1)
            self.fails[i] = self.fails[i].replace('{"id":', '{"blocking":true,"id":', 1)
        self.skip_frag = {i: self.passes[i].replace('"status":"pass"', '"status":"skip"') for i in self.skipped}
        self.runs = 0

    def body(self, finished_ms, rng):
        self.runs += 1
        frags = list(self.passes)
        for i in self.skipped:
            frags[i] = self.skip_frag[i]
        for i in self.always:
            frags[i] = self.fails[i]
        for i in self.flaky:
            if rng.random() < 0.25:
                frags[i] = self.fails[i]
        for _ in range(max(0, int(len(frags) * 0.001))):
            i = rng.randrange(len(frags))
            frags[i] = self.fails[i]
        metrics = []
        if self.kind in ("performance", "load"):
            for name, unit, op, target, typical in METRICS:
                v = round(typical * rng.uniform(0.7, 1.5), 2)
                metrics.append({"name": name, "unit": unit, "value": v, "target": {"op": op, "value": target}})
        else:
            metrics.append({"name": "suite_duration_s", "unit": "s", "value": round(rng.uniform(30, 600), 1)})
        findings = []
        if self.kind == "security":
            for f in rng.sample(range(40), 6):
                findings.append({"id": f"CVE-2026-{1000 + f}", "severity": SEVERITIES[f % len(SEVERITIES)],
                                 "status": "resolved" if rng.random() < 0.4 else "open",
                                 "title": f"{MODULES[f % len(MODULES)]}: vulnerable dependency {f}",
                                 "details": "found by the nightly scan; upgrade the dependency"})
        started = finished_ms - rng.randint(60_000, 1_800_000)
        run = {"id": f"{self.project}-{self.phase}-{self.name}-{self.runs}", "started_at": iso(started),
               "finished_at": iso(finished_ms), "commit": f"{rng.getrandbits(160):040x}", "branch": "main"}
        head = json.dumps({"schema": "readyboard/v1", "project": self.project, "phase": self.phase,
                           "suite": self.name, "kind": self.kind, "run": run,
                           "metrics": metrics, "findings": findings})[:-1]
        return (head + ',"checks":[' + ",".join(frags) + "]}").encode()


def pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", action="append", required=True, help="PROJECT=TOKEN")
    ap.add_argument("--reports", type=int, required=True)
    ap.add_argument("--checks", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=3600)
    ap.add_argument("--cookie", default="")
    ap.add_argument("--reader", action="append", default=[], help="path fetched by readers")
    ap.add_argument("--readers", type=int, default=0)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    tokens = dict(t.split("=", 1) for t in a.token)
    host = urllib.parse.urlparse(a.base)
    rng = random.Random(a.seed)

    suites = [Suite(p, ph, s, k, a.checks, rng) for p in PROJECTS for ph in PHASES for s, k in SUITES]
    print(f"generated {len(suites)} suites × {a.checks} checks", file=sys.stderr)
    end_ms = int(time.time() * 1000) - 3_600_000
    start_ms = end_ms - YEAR_MS
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "checks": 0, "failed": [], "times": [], "marks": []}
    stop = threading.Event()
    deadline = time.monotonic() + a.time_limit
    t0 = time.monotonic()

    def conn():
        return http.client.HTTPConnection(host.hostname, host.port, timeout=600)

    def uploader(wid):
        wrng = random.Random(a.seed * 1000 + wid)
        c = conn()
        while not stop.is_set():
            with lock:
                i = state["next"]
                if i >= a.reports or time.monotonic() > deadline:
                    break
                state["next"] += 1
            s = suites[i % len(suites)]
            finished = start_ms + (YEAR_MS * i) // max(1, a.reports)
            with lock:
                body = s.body(finished, wrng)
            q = urllib.parse.urlencode({"project": s.project, "phase": s.phase, "suite": s.name})
            t = time.monotonic()
            try:
                c.request("POST", f"/api/v1/reports?{q}", body,
                          {"Authorization": f"Bearer {tokens[s.project]}", "Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read()
                code = r.status
            except (OSError, http.client.HTTPException) as e:
                code, data = 0, str(e).encode()
                c.close()
                c = conn()
            dt = time.monotonic() - t
            with lock:
                if code != 201:
                    state["failed"].append(f"{code} {data[:200]!r}")
                else:
                    state["done"] += 1
                    state["checks"] += a.checks
                    state["times"].append(dt)
                    done = state["done"]
                    if done % max(1, a.reports // 10) == 0:
                        state["marks"].append((done, state["checks"], time.monotonic() - t0))
                        el = time.monotonic() - t0
                        print(f"  {done}/{a.reports} reports, {state['checks']:,} checks, {el:.0f} s, "
                              f"{state['checks'] / el:,.0f} checks/s overall", file=sys.stderr)
                if len(state["failed"]) > 20:
                    stop.set()

    reads = {p: [] for p in a.reader}
    read_errors = []

    def reader(rid):
        c = conn()
        paths = a.reader[rid % len(a.reader):] + a.reader[:rid % len(a.reader)]
        n = 0
        while not stop.is_set():
            p = paths[n % len(paths)]
            n += 1
            t = time.monotonic()
            try:
                c.request("GET", p, headers={"Cookie": f"readyboard_session={a.cookie}", "Cache-Control": "no-cache"})
                r = c.getresponse()
                r.read()
                code = r.status
            except (OSError, http.client.HTTPException) as e:
                code = 0
                read_errors.append(str(e))
                c.close()
                c = conn()
            dt = time.monotonic() - t
            if code == 200:
                reads[p].append(dt)
            else:
                read_errors.append(f"{p}: {code}")
            if len(read_errors) > 100:
                stop.set()

    ups = [threading.Thread(target=uploader, args=(w,)) for w in range(a.workers)]
    rds = [threading.Thread(target=reader, args=(r,), daemon=True) for r in range(a.readers if a.reader else 0)]
    for t in ups + rds:
        t.start()
    for t in ups:
        t.join()
    wall = time.monotonic() - t0
    stop.set()
    for t in rds:
        t.join(timeout=60)

    marks = state["marks"]
    deciles = []
    prev = (0, 0, 0.0)
    for m in marks:
        if m[2] > prev[2]:
            deciles.append(round((m[1] - prev[1]) / (m[2] - prev[2])))
        prev = m
    out = {
        "reports": state["done"], "checks": state["checks"], "wall_s": round(wall, 1),
        "checks_per_s": round(state["checks"] / wall) if wall else 0,
        "rate_by_tenth": deciles,
        "upload_p50_ms": round(pct(state["times"], 0.5) * 1000, 1),
        "upload_p99_ms": round(pct(state["times"], 0.99) * 1000, 1),
        "failed": len(state["failed"]), "failures": state["failed"][:5],
        "stopped_at_time_limit": state["done"] < a.reports and not state["failed"],
        "readers": {p: {"requests": len(v), "p50_ms": round(pct(v, 0.5) * 1000, 1),
                        "p99_ms": round(pct(v, 0.99) * 1000, 1)} for p, v in reads.items()},
        "reader_errors": len(read_errors), "reader_error_samples": read_errors[:5],
    }
    out["summary_ingest"] = (
        f"{out['checks_per_s']:,} checks/s over {out['wall_s']} s; by tenths of the history: "
        + " · ".join(f"{x:,}" for x in deciles)
        + f"; upload p50 {out['upload_p50_ms']} ms, p99 {out['upload_p99_ms']} ms")
    out["summary_readers"] = "; ".join(
        f"{p} {v['requests']} pages, p50 {v['p50_ms']} ms, p99 {v['p99_ms']} ms" for p, v in out["readers"].items()
    ) + f"; errors {len(read_errors)}"
    print(json.dumps(out))
    return 0 if not state["failed"] and not read_errors else 1


if __name__ == "__main__":
    sys.exit(main())
