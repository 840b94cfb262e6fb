#!/usr/bin/env bash
# Fails when the release front end outgrows its budget: the bytes a browser downloads matter
# more than any other size here, so a change that adds to them has to say so (raise the budget
# in this file, in the same commit, with the reason).
#
# Budget: gzip -9 of the release .wasm. Issue 11 aims at 200 KB, then 140 KB. With full hydration
# (Leptos 0.8) the bundle went from 516,246 B to 372,234 B (no async copy of hydration for erased
# views, one JSON decoder, instants formatted by hand, plain forms instead of ActionForm); what is
# left is mostly Leptos' reactive system, tachys' views and the router, which full hydration needs.
# 200 KB needs islands and more: a rough islands build with the same steps (branch issue11-islands)
# measured 237,740 B. The budget is today's size plus ~1%, so any growth has to be argued for here.
#
# Raised from 376,000 for issue 12 (consent on the user's terms): the terms in the confirm dialog,
# the notice on the user's pages with its Disallow, the terms in the switcher, the audit log and
# the history, and "View only" on the banner and the home page took the bundle from 372,234 B to
# 399,796 B (+27,562 B); a text store for dismissed notices and one JSON decoder for the live
# channel had already taken 3,700 B back.
#
# Lowered to 387,000: the frame drawn from the request's session (no viewer resource or suspense)
# and one Suspend per page's data took the bundle to 383,323 B.
#
# Raised to 387,500: the switcher keeps what a super admin typed before the page was interactive
# (hydration emptied the search and the reason): 386,801 B before, 387,215 B with it (+414 B).
set -euo pipefail

WASM_GZIP_BUDGET=387500

root="$(cd "$(dirname "$0")/.." && pwd)"
# The build's own record of its file names (older builds' files may still lie beside it).
hash=$(sed -n 's/^wasm: *//p' "$root/target/server-release/hash.txt" 2>/dev/null || true)
wasm=("$root/target/site/pkg/impersonate.$hash.wasm")
if [ -z "$hash" ] || [ ! -f "${wasm[0]}" ]; then
  echo "check-bundle: no release front end to measure (target/server-release/hash.txt names none); run make release" >&2
  exit 1
fi
raw=$(stat -c %s "${wasm[0]}")
gz=$(gzip -9 -c "${wasm[0]}" | wc -c)
br=$( [ -f "${wasm[0]}.br" ] && stat -c %s "${wasm[0]}.br" || echo "n/a")
served_gz=$( [ -f "${wasm[0]}.gz" ] && stat -c %s "${wasm[0]}.gz" || echo "n/a")
echo "front end: $(basename "${wasm[0]}") ${raw} B raw, ${gz} B gzip -9 (budget ${WASM_GZIP_BUDGET}); as served: ${served_gz} B gzip, ${br} B brotli"
if [ "$gz" -gt "$WASM_GZIP_BUDGET" ]; then
  echo "check-bundle: the front end is over its budget by $((gz - WASM_GZIP_BUDGET)) B gzip -9" >&2
  exit 1
fi
# What a browser without brotli downloads must be what the budget measured (scripts/recompress.sh).
if [ "$served_gz" != "n/a" ] && [ "$served_gz" -gt "$gz" ]; then
  echo "check-bundle: the served .gz is ${served_gz} B, more than gzip -9's ${gz} B: run scripts/recompress.sh (make release does)" >&2
  exit 1
fi
