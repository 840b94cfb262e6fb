"""The load test's verdict and closing note: reads what locust measured, what the simulated people
had acknowledged, and what `server check-history` found in the database, prints a Markdown
summary, writes it to --out, and exits non-zero on any 5xx, failed request, rule violation or
audit mismatch. Standard library only.

What is compared with the audit log, and why each comparison is exact, is written into the
summary itself (see CHECKS) so that the note explains its own figures.
"""

import argparse
import csv
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--stats", required=True, help="locust's <prefix>_stats.csv")
parser.add_argument("--counts", required=True, help="the locustfile's LOAD_COUNTS JSON")
parser.add_argument("--history", required=True, help="server check-history --json output")
parser.add_argument("--history-exit", type=int, required=True, help="check-history's exit code")
parser.add_argument("--tamper-exit", type=int, default=None, help="check-history's exit code on the tampered copy")
parser.add_argument("--locust-exit", type=int, required=True)
parser.add_argument("--meta", action="append", default=[], help="key=value lines for the set-up table")
parser.add_argument("--out", required=True)
args = parser.parse_args()

with open(args.counts, encoding="utf-8") as f:
    counts = json.load(f)
with open(args.history, encoding="utf-8") as f:
    history = json.load(f)
with open(args.stats, encoding="utf-8", newline="") as f:
    stats = list(csv.DictReader(f))

acked = counts["acknowledged"]
status = counts["status"]
audit = history["audit"]


def ack(name):
    return int(acked.get(name, 0))


def lines(kind):
    """Audit lines of one kind, every end reason included ("ended" covers "ended (stopped)"...)."""
    return sum(n for key, n in audit.items() if key == kind or key.startswith(kind + " ("))


starts = ack("starts (started or joined)")
still_running = int(history["impersonations_not_ended"])
# (audit lines, what they must equal, where that number comes from)
CHECKS = [
    ("allowed", lines("allowed"), ack("allows that created a grant"),
     "acknowledged allows on a profile that said *not allowed* (only the user changes their consent, and no 24 h window ends in a run, so each made one grant)"),
    ("disallowed", lines("disallowed"), ack("disallows that ended a grant"),
     "acknowledged disallows on a profile that said *allowed* (each ended one grant)"),
    ("started + joined", lines("started") + lines("joined"), starts,
     "acknowledged starts (each is one impersonation: the first under a grant `started`, later ones `joined`)"),
    ("wrote", lines("wrote"), ack("task adds while impersonating"),
     "acknowledged task adds by super admins while impersonating (a write after the end is refused under lock, never recorded)"),
    ("ended (every reason)", lines("ended"), starts - still_running,
     f"acknowledged starts less the {still_running} impersonations still running when the load stopped (read from the store): every impersonation ends once, with one line"),
    ("grant_ended", lines("grant_ended"), 0,
     "none: only time ends a grant this way, and no window (24 h) ends in a run this short"),
]
known = {"allowed", "disallowed", "started", "joined", "wrote", "ended", "grant_ended"}
unknown = {k: n for k, n in audit.items() if k.split(" (")[0] not in known}
expected_total = sum(expected for _, _, expected, _ in CHECKS)
audit_total = int(history["audit_total"])

problems = []
for name, got, expected, _ in CHECKS:
    if got != expected:
        problems.append(f"audit `{name}`: {got} lines, {expected} expected")
if unknown:
    problems.append(f"audit lines of kinds nobody expected: {unknown}")
if audit_total != expected_total:
    problems.append(f"audit log: {audit_total} lines, {expected_total} expected from the acknowledged operations")
if int(history["grants"]) != ack("allows that created a grant"):
    problems.append(f"stored grants {history['grants']} != acknowledged allows that created one {ack('allows that created a grant')}")
if int(history["impersonations"]) != starts:
    problems.append(f"stored impersonations {history['impersonations']} != acknowledged starts {starts}")
stops, stopped_lines = ack("stops"), lines("ended (stopped)")
others_ended = lines("ended") - stopped_lines
# A stop acknowledged after a disallow or another admin's stop had already ended its impersonation
# ends nothing and records nothing (the rules' answer to stopping an ended impersonation), and the
# client cannot tell the two apart: so here only the bound holds.
if not (stopped_lines <= stops <= stopped_lines + others_ended):
    problems.append(f"`ended (stopped)` {stopped_lines} lines for {stops} acknowledged stops is out of bounds")

aggregated = next((row for row in stats if row["Name"] == "Aggregated"), None)
requests = int(aggregated["Request Count"]) if aggregated else 0
failures = int(aggregated["Failure Count"]) if aggregated else 0
five_xx = int(status.get("5xx", 0))
if five_xx:
    problems.append(f"{five_xx} answers were 5xx")
if failures:
    problems.append(f"{failures} requests failed (5xx, no answer, or a status no step expects)")
unanswered = counts.get("unanswered", {})
if unanswered:
    problems.append(f"requests still unanswered when the run stopped (they may have committed unacknowledged): {unanswered}")
if requests == 0:
    problems.append("no request was made")
if history["violations"]:
    problems.append(f"{len(history['violations'])} violations of the rules in the stored history")
if history["mismatches"]:
    problems.append(f"check-history: the audit log does not match the stored records: {history['mismatches']}")
if args.history_exit != 0:
    problems.append(f"server check-history exited {args.history_exit}")
if args.tamper_exit is not None and args.tamper_exit == 0:
    problems.append("check-history passed a tampered copy of the database: the checker is blind")
if args.locust_exit not in (0, 1):
    problems.append(f"locust exited {args.locust_exit}")

out = []
w = out.append
verdict = "PASS" if not problems else "FAIL"
w(f"# Load test: {verdict}")
w("")
w("| set-up | |")
w("|---|---|")
for item in args.meta:
    key, _, value = item.partition("=")
    w(f"| {key} | {value} |")
w("")
w("## Requests")
w("")
w(f"{requests} requests, {failures} failed, {five_xx} answered 5xx; by status class: "
  + ", ".join(f"{k} {v}" for k, v in sorted(status.items()) if k in ("2xx", "3xx", "4xx", "5xx", "no answer")) + ".")
w("Latencies in ms, measured by locust on the same machine as the servers and PostgreSQL (see the set-up).")
w("")
w("| request | count | failed | req/s | p50 | p95 | p99 | max |")
w("|---|---:|---:|---:|---:|---:|---:|---:|")
for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
    name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
    w(f"| {(row['Type'] + ' ' + name).strip()} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
      f"| {row['50%']} | {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |")
w("")
w("## Operations acknowledged (2xx)")
w("")
w("| operation | count |")
w("|---|---:|")
for key in sorted(acked):
    w(f"| {key} | {acked[key]} |")
w("")
w("## Audit log against the operations acknowledged")
w("")
w("| audit lines | in the log | expected | expected from |")
w("|---|---:|---:|---|")
for name, got, expected, why in CHECKS:
    mark = "" if got == expected else " **≠**"
    w(f"| {name} | {got}{mark} | {expected} | {why} |")
w(f"| **all lines** | {audit_total} | {expected_total} | the sum of the above |")
w("")
w(f"Stops: {stops} acknowledged, {stopped_lines} `ended (stopped)` lines. A stop that arrives after a "
  f"disallow or another super admin's stop has already ended its impersonation ends nothing and records "
  f"nothing, and its answer is the same 2xx, so only the bound `stopped lines <= stops <= stopped lines + "
  f"other ends ({others_ended})` can be checked; every end is counted exactly in `ended` above.")
w("")
w("Audit log by kind, as stored:")
w("")
w("| line | count |")
w("|---|---:|")
for key in sorted(audit):
    w(f"| {key} | {audit[key]} |")
w("")
w("## Stored history against the rules (`server check-history`)")
w("")
w(f"{history['people']} people, {history['grants']} grants, {history['impersonations']} impersonations "
  f"({still_running} still running). Violations of the rules, in the stored records or in the audit log "
  f"replayed line by line against them: {len(history['violations'])}. "
  f"Audit lines against the lines the stored records imply: "
  + ("all equal." if not history["mismatches"] else "; ".join(history["mismatches"])))
for violation in history["violations"][:20]:
    w(f"- {violation}")
if args.tamper_exit is not None:
    w("")
    w(f"The checker can fail: on a copy of this database with one grant's `ends_at` moved by 1 ms, "
      f"check-history exited {args.tamper_exit} ({'as it must' if args.tamper_exit != 0 else 'WRONGLY'}).")
w("")
w("## Verdict")
w("")
if problems:
    w("FAIL:")
    for problem in problems:
        w(f"- {problem}")
else:
    w("PASS: no 5xx, no failed request, no violation of the rules in the stored history, and the audit "
      "log has exactly the lines the acknowledged operations imply.")
text = "\n".join(out) + "\n"
with open(args.out, "w", encoding="utf-8") as f:
    f.write(text)
print(text)
sys.exit(0 if not problems else 1)
