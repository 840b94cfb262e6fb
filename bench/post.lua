-- wrk script for the bench's read-only server-function calls (scripts/bench.sh): a same-origin
-- form POST with the session cookie (BENCH_COOKIE) and the body BENCH_BODY.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or ""
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = "impersonate_session=" .. cookie end
