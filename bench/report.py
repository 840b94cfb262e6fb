#!/usr/bin/env python3
"""The report of one `make bench` run (scripts/bench.sh): reads wrk's outputs and the TTI JSON
from the run's work directory and writes <out>.md and <out>.json. Ratios are req/s over the static
asset's and over the login page's req/s in the same run and database."""

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
from pathlib import Path

CASES = [
    ("static", "static asset (the CSS, GET)"),
    ("login", "login page (anonymous SSR)"),
    ("home", "a user's home page"),
    ("home-impersonating", "the same page while impersonating"),
    ("status", "live-channel status call (POST /api/session/status)"),
    ("switcher-search", "switcher search (POST /api/impersonation/switcher)"),
    ("allow-disallow", "allow+disallow, alternating (POST, one session a connection)"),
    ("start-stop", "start+stop, alternating (POST, one session a connection)"),
]

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def millis(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s)", text)
    return float(match.group(1)) * UNITS[match.group(2)] if match else None


def parse_wrk(path):
    text = path.read_text()
    out = {"requests": None, "rps": None, "p50_ms": None, "p99_ms": None, "non_2xx": 0, "socket_errors": None}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            out["rps"] = float(line.split()[1])
        elif line.startswith("50%"):
            out["p50_ms"] = millis(line.split()[1])
        elif line.startswith("99%"):
            out["p99_ms"] = millis(line.split()[1])
        elif line.startswith("Non-2xx"):
            out["non_2xx"] = int(line.split()[-1])
        elif "requests in" in line:
            out["requests"] = int(line.split()[0])
        elif line.startswith("Socket errors:"):
            out["socket_errors"] = line.split(":", 1)[1].strip()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--dbs", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--seconds", required=True)
    parser.add_argument("--connections", required=True)
    parser.add_argument("--wasm", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    work = Path(args.work)

    wasm = Path(args.wasm)
    sizes = {"file": wasm.name, "raw": wasm.stat().st_size}
    for suffix, key in ((".gz", "gzip"), (".br", "brotli")):
        packed = Path(str(wasm) + suffix)
        sizes[key] = packed.stat().st_size if packed.exists() else None
    if sizes["gzip"] is None:
        sizes["gzip"] = len(gzip.compress(wasm.read_bytes(), 9))

    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    commit = run(["git", "rev-parse", "--short", "HEAD"]) + (" (with uncommitted changes)" if run(["git", "status", "--porcelain", "--untracked-files=no"]) else "")
    meta = {
        "when_utc": args.stamp,
        "commit": commit,
        "server": args.server,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, shared with the load tool (and whatever else runs)",
        "load_tool": run(["wrk", "-v"]).splitlines()[0] if run(["wrk", "-v"]) else "wrk",
        "seconds_per_case": int(args.seconds),
        "connections": int(args.connections),
        "threads": "2 for reads; one per connection for the writes",
    }
    result = {"meta": meta, "wasm": sizes, "databases": {}}
    for db in args.dbs.split():
        cases = {}
        for name, label in CASES + [("static-4", "static asset at 4 connections")]:
            path = work / f"{db}-{name}.txt"
            if path.exists():
                cases[name] = {"what": label, **parse_wrk(path)}
        static = cases.get("static", {}).get("rps")
        login = cases.get("login", {}).get("rps")
        for case in cases.values():
            rps = case["rps"]
            case["vs_static"] = round(rps / static, 3) if rps and static else None
            case["vs_login"] = round(rps / login, 3) if rps and login else None
            case["p99_over_p50"] = round(case["p99_ms"] / case["p50_ms"], 1) if case["p99_ms"] and case["p50_ms"] else None
        tti_path = work / f"{db}-tti.json"
        tti = json.loads(tti_path.read_text()) if tti_path.exists() else None
        result["databases"][db] = {"cases": cases, "tti_profile": tti}

    Path(args.out + ".json").write_text(json.dumps(result, indent=2) + "\n")

    lines = [f"# Bench {args.stamp} (`make bench`)", ""]
    lines += [f"- {key.replace('_', ' ')}: {value}" for key, value in meta.items()]
    lines += [
        f"- WASM `{sizes['file']}`: {sizes['raw']:,} B raw, {sizes['gzip']:,} B gzip, "
        + (f"{sizes['brotli']:,} B brotli" if sizes["brotli"] else "no brotli file"),
        "",
        "Reads: wrk with the session's cookie; writes: `bench/writes.lua`, each wrk thread one connection and",
        "one session, alternating the two calls (start and stop carry the cookie the last answer set), so",
        "req/s counts single calls and p50/p99 are over both calls of the pair.",
        "",
    ]
    for db, data in result["databases"].items():
        lines += [f"## {db}", "", "| case | req/s | p50 ms | p99 ms | p99/p50 | vs static | vs login | non-2xx |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for name, case in data["cases"].items():
            fmt = lambda v, f="{:.2f}": "–" if v is None else f.format(v)
            lines.append(
                f"| {case['what']} | {fmt(case['rps'], '{:,.0f}')} | {fmt(case['p50_ms'])} | {fmt(case['p99_ms'])} | {fmt(case['p99_over_p50'], '{:.1f}')} "
                f"| {fmt(case['vs_static'], '{:.3f}')} | {fmt(case['vs_login'], '{:.3f}')} | {case['non_2xx']} |"
            )
        tti = data["tti_profile"]
        if tti:
            lines += ["", f"Profile page, time to interactive (navigation start to `data-hydrated`, Chromium, fresh context each load): "
                      f"median **{tti['median_ms']} ms** of {len(tti['loads'])} loads ({', '.join(str(t) for t in tti['loads'])})."]
        lines.append("")
    Path(args.out + ".md").write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"saved {args.out}.md and {args.out}.json")


if __name__ == "__main__":
    main()
