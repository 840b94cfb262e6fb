#!/usr/bin/env python3
"""The report of one `make bench` run (scripts/bench.sh): reads wrk's outputs and the TTI JSON
from the run's work directory and writes <out>.md and <out>.json. Ratios are req/s over the static
asset's and over the login page's req/s in the same run and database.

The reads the ratios compare run in rounds (`<db>-<case>-r<n>.txt`): a case's req/s, p50 and p99
are the medians over its rounds, and its ratios the median of each round's ratio to that round's
static asset and login page. A case measured once (`<db>-<case>.txt`) is compared with the
medians.

Each case's `.cpu` file holds the CPU clock ticks of the server and of PostgreSQL before and after
it: per request, that is the work a request costs whatever else the shared machine ran meanwhile
(req/s also counts the waits). SQLite runs inside the server, so its database column is empty.
Its `.switches` file holds each server thread's context switches before it, `--`, then after it.
A thread that ended meanwhile (an idle thread of tokio's blocking pool, after 10 s) is left out:
its count went with it."""

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
from pathlib import Path

CASES = [
    ("static", "static asset (the CSS, GET)"),
    ("login", "login page (anonymous SSR)"),
    ("home", "a user's home page"),
    ("home-impersonating", "the same page while impersonating"),
    ("profile", "a profile page (the user allows, and is impersonated)"),
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


def parse_cpu(path, requests):
    """Microseconds of CPU per request: the server's, and the database's (None on SQLite)."""
    if not path.exists() or not requests:
        return {"server_us": None, "database_us": None}
    s0, s1, d0, d1, tick = (int(v) for v in path.read_text().split())
    per_request = lambda ticks: round(ticks / tick * 1e6 / requests, 1)
    return {"server_us": per_request(s1 - s0), "database_us": per_request(d1 - d0) if d1 > d0 else None}


def parse_switches(path, requests):
    """The server's context switches per request (None when not recorded)."""
    if not path.exists() or not requests:
        return {"switches": None}
    before_text, after_text = path.read_text().split("--")
    counts = lambda text: dict(tuple(int(v) for v in line.split()) for line in text.strip().splitlines())
    before, after = counts(before_text), counts(after_text)
    # Threads that began during the case count from zero.
    return {"switches": round(sum(n - before.get(thread, 0) for thread, n in after.items()) / requests, 2)}


def fmt(value, form="{:.2f}"):
    """A figure for the report's tables, or a dash when it was not measured."""
    return "–" if value is None else form.format(value)


def parse_instructions(path):
    """Instructions per request by case, counted by callgrind (None when not counted), and the
    login page's count over each case's, the ratio req/s would have if nothing but the server's
    own work counted."""
    if not path.exists():
        return None
    counts = {}
    for line in path.read_text().splitlines():
        case, requests, total = line.split()
        counts[case] = int(total) // int(requests)
    login = counts.get("login")
    return {case: {"per_request": n, "login_over_case": round(login / n, 3) if login and n else None} for case, n in counts.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--dbs", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--seconds", required=True)
    parser.add_argument("--connections", required=True)
    parser.add_argument("--rounds", required=True)
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
        "rounds_of_the_reads": int(args.rounds),
    }
    result = {"meta": meta, "wasm": sizes, "databases": {}}
    for db in args.dbs.split():
        rounds = {}  # case -> its rounds' wrk figures, in order
        for name, _ in CASES + [("static-4", "")]:
            paths = sorted(work.glob(f"{db}-{name}-r*.txt"), key=lambda p: int(p.stem.rsplit("-r", 1)[1]))
            paths = paths or [p for p in [work / f"{db}-{name}.txt"] if p.exists()]
            if paths:
                rounds[name] = []
                for p in paths:
                    figures = parse_wrk(p)
                    figures.update(parse_cpu(p.with_suffix(".cpu"), figures["requests"]))
                    figures.update(parse_switches(p.with_suffix(".switches"), figures["requests"]))
                    rounds[name].append(figures)
        cases = {}
        for name, label in CASES + [("static-4", "static asset at 4 connections")]:
            if name not in rounds:
                continue
            figures = rounds[name]
            median = lambda key: statistics.median(v[key] for v in figures) if all(v[key] is not None for v in figures) else None
            case = {"what": label, "rounds": len(figures), **{k: median(k) for k in ("rps", "p50_ms", "p99_ms", "server_us", "database_us", "switches")}}
            case["requests"] = sum(v["requests"] or 0 for v in figures)
            case["non_2xx"] = sum(v["non_2xx"] for v in figures)
            for base in ("static", "login"):
                base_rounds = rounds.get(base, [])
                if len(figures) > 1 and len(base_rounds) == len(figures):
                    each = [round(v["rps"] / b["rps"], 3) for v, b in zip(figures, base_rounds) if v["rps"] and b["rps"]]
                else:
                    base_rps = statistics.median(b["rps"] for b in base_rounds) if base_rounds else None
                    each = [round(case["rps"] / base_rps, 3)] if case["rps"] and base_rps else []
                case[f"vs_{base}"] = round(statistics.median(each), 3) if each else None
                case[f"vs_{base}_each_round"] = each if len(figures) > 1 else None
            # CPU per request, server and database together, as a ratio like req/s's: the login
            # page's cost over this case's.
            total_us = lambda v: (v["server_us"] or 0) + (v["database_us"] or 0) if v["server_us"] else None
            login_rounds = rounds.get("login", [])
            each_cpu = [round(total_us(b) / total_us(v), 3) for v, b in zip(figures, login_rounds) if total_us(v) and total_us(b)] if len(login_rounds) == len(figures) else []
            case["cpu_vs_login"] = round(statistics.median(each_cpu), 3) if each_cpu else None
            case["p99_over_p50"] = round(case["p99_ms"] / case["p50_ms"], 1) if case["p99_ms"] and case["p50_ms"] else None
            cases[name] = case
        tti_path = work / f"{db}-tti.json"
        tti = json.loads(tti_path.read_text()) if tti_path.exists() else None
        result["databases"][db] = {"cases": cases, "tti_profile": tti, "instructions": parse_instructions(work / f"{db}-instructions.txt")}

    Path(args.out + ".json").write_text(json.dumps(result, indent=2) + "\n")

    lines = [f"# Bench {args.stamp} (`make bench`)", ""]
    lines += [f"- {key.replace('_', ' ')}: {value}" for key, value in meta.items()]
    lines += [
        f"- WASM `{sizes['file']}`: {sizes['raw']:,} B raw, {sizes['gzip']:,} B gzip, "
        + (f"{sizes['brotli']:,} B brotli" if sizes["brotli"] else "no brotli file")
        + " (the files served; gzip -9 of the .wasm when there is no .gz)",
        "",
        "Reads: wrk with the session's cookie; writes: `bench/writes.lua`, each wrk thread one connection and",
        "one session, alternating the two calls (start and stop carry the cookie the last answer set), so",
        "req/s counts single calls and p50/p99 are over both calls of the pair.",
        f"The first six reads ran in {args.rounds} rounds, one after the other: their req/s, p50 and p99 are medians",
        "over the rounds, their ratios the median of each round's ratio (each round's own is listed).",
        "CPU per request: the server's process and PostgreSQL's processes (SQLite runs inside the server), over",
        "the case's requests; \"CPU: login ÷ case\" compares their sum with the login page's, round by round.",
        "Context switches per request: the server's threads (SQLite's worker threads among them; a thread that",
        "ended during the case is left out), a count that moves far less than CPU time when the machine is busy.",
        "",
    ]
    for db, data in result["databases"].items():
        lines += [f"## {db}", "", "| case | req/s | p50 ms | p99 ms | p99/p50 | vs static | vs login | vs login, each round | server CPU µs/req | database CPU µs/req | CPU: login ÷ case | server context switches/req | non-2xx |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
        for name, case in data["cases"].items():
            lines.append(
                f"| {case['what']} | {fmt(case['rps'], '{:,.0f}')} | {fmt(case['p50_ms'])} | {fmt(case['p99_ms'])} | {fmt(case['p99_over_p50'], '{:.1f}')} "
                f"| {fmt(case['vs_static'], '{:.3f}')} | {fmt(case['vs_login'], '{:.3f}')} "
                f"| {' '.join(f'{r:.3f}' for r in case['vs_login_each_round']) if case['vs_login_each_round'] else '–'} "
                f"| {fmt(case['server_us'], '{:.0f}')} | {fmt(case['database_us'], '{:.0f}')} | {fmt(case['cpu_vs_login'], '{:.3f}')} | {fmt(case['switches'], '{:.1f}')} | {case['non_2xx']} |"
            )
        instructions = data["instructions"]
        if instructions:
            labels = dict(CASES)
            lines += ["", "Instructions per request (the server's process under callgrind, one request at a time on one connection,",
                      "after a warm-up; PostgreSQL's processes not counted). Unlike req/s and CPU time they do not depend on",
                      "whatever else runs, so \"login ÷ case\" moves far less from run to run.", "",
                      "| case | instructions per request | login ÷ case |", "|---|---:|---:|"]
            for name, figures in instructions.items():
                lines.append(f"| {labels.get(name, name)} | {figures['per_request']:,} | {fmt(figures['login_over_case'], '{:.3f}')} |")
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
