#!/usr/bin/env python3
"""Writes a synthetic JUnit XML report for benchmarks.

Realistic shape: suites of ~50 cases with Java- and pytest-style names, ~2% failures carrying
a message and a multi-line stack trace, ~1% skipped, log-normal durations, some system-out.
Deterministic for a given --seed; different seeds give different content (distinct uploads).

Usage: gen-junit.py --tests N --out FILE [--seed S]
"""
import argparse
import math
import random
from xml.sax.saxutils import escape, quoteattr

MODULES = ["billing", "auth", "catalog", "checkout", "inventory", "search", "shipping", "accounts",
           "payments", "pricing", "gateway", "scheduler", "storage", "orders", "cart", "admin"]
VERBS = ["creates", "updates", "rejects", "calculates", "validates", "expires", "retries", "parses",
         "merges", "rounds", "converts", "schedules", "cancels", "authorizes"]
OBJECTS = ["invoice", "token", "session", "line_items", "tax_rate", "refund", "coupon", "shipment",
           "address", "payload", "currency", "discount", "cursor", "signature", "quota"]
CONDS = ["when_input_is_empty", "with_expired_token", "on_concurrent_update", "with_unicode_name",
         "after_timeout", "with_large_payload", "for_guest_user", "", ""]


def trace(cls, name, rng):
    frames = [f"    at {cls}.{name}({cls.split('.')[-1]}.java:{rng.randint(20, 400)})"]
    for _ in range(rng.randint(6, 14)):
        frames.append(f"    at com.example.{rng.choice(MODULES)}.{rng.choice(VERBS).title()}Handler"
                      f".handle(Handler.java:{rng.randint(10, 900)})")
    frames.append("    at org.junit.platform.engine.support.hierarchical.NodeTestTask.execute(NodeTestTask.java:151)")
    return "\n".join(frames)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    parts = []
    total = fails = skips = 0
    suite_no = 0
    while total < a.tests:
        suite_no += 1
        n = min(rng.randint(40, 60), a.tests - total)
        module = rng.choice(MODULES)
        cls = f"com.example.{module}.{rng.choice(OBJECTS).title().replace('_', '')}ServiceTest"
        path = "src/test/java/" + cls.replace(".", "/") + ".java"
        cases = []
        sf = ss = 0
        for i in range(n):
            name = f"{rng.choice(VERBS)}_{rng.choice(OBJECTS)}_{rng.choice(CONDS)}".rstrip("_") + f"_{suite_no}_{i}"
            t = math.exp(rng.gauss(math.log(0.025), 1.0))
            r = rng.random()
            if r < 0.02:
                sf += 1
                msg = f"expected <{rng.randint(1, 999)}> but was <{rng.randint(1, 999)}>"
                cases.append(f'<testcase classname={quoteattr(cls)} name={quoteattr(name)} time="{t:.3f}">'
                             f'<failure message={quoteattr(msg)} type="org.opentest4j.AssertionFailedError">'
                             f'{escape("org.opentest4j.AssertionFailedError: " + msg + chr(10) + trace(cls, name, rng))}'
                             f'</failure><system-out>{escape("request id " + str(rng.getrandbits(64)))}</system-out></testcase>')
            elif r < 0.03:
                ss += 1
                cases.append(f'<testcase classname={quoteattr(cls)} name={quoteattr(name)} time="0">'
                             f'<skipped message="disabled until TICKET-{rng.randint(100, 999)} is fixed"/></testcase>')
            else:
                cases.append(f'<testcase classname={quoteattr(cls)} name={quoteattr(name)} file="{path}" line="{rng.randint(20, 900)}" time="{t:.3f}"/>')
        total += n
        fails += sf
        skips += ss
        parts.append(f'<testsuite name={quoteattr(cls)} tests="{n}" failures="{sf}" errors="0" skipped="{ss}">\n'
                     + "\n".join(cases) + "\n</testsuite>")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(f'<testsuites name="bench" tests="{total}" failures="{fails}" skipped="{skips}">\n')
        f.write("\n".join(parts))
        f.write("\n</testsuites>\n")


if __name__ == "__main__":
    main()
