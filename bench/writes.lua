-- wrk script for the bench's writes (scripts/bench.sh): each wrk thread has one connection and
-- its own session, and alternates two state-changing calls on it:
--   BENCH_MODE=allow   allow, disallow, allow, ...          (a user's own session)
--   BENCH_MODE=start   start impersonating, stop, start, ... (a super admin's session)
-- Start and stop hand out a new session id each time (the old one stops working), so the next
-- request must carry the cookie the last answer set: one connection per thread keeps each
-- session's requests strictly in turn. The sessions come space-separated in BENCH_COOKIES, the
-- users to impersonate (start) in BENCH_TARGETS, one per thread.

local cookies, targets = {}, {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "%S+") do table.insert(cookies, c) end
for t in string.gmatch(os.getenv("BENCH_TARGETS") or "", "%S+") do table.insert(targets, t) end
local index = 0

function setup(thread)
  index = index + 1
  thread:set("cookie", cookies[index] or "")
  thread:set("target", targets[index] or "")
end

function init(args)
  mode = os.getenv("BENCH_MODE") or "allow"
  origin = os.getenv("BENCH_ORIGIN") or ""
  -- Which call comes next moves on each answer, not on each request(): wrk calls request() once
  -- more in the first thread to check the script, which with a count put that thread's first
  -- call out of turn (a stop before any start, the one refused call of earlier reports).
  first = true
end

function request()
  local path, body
  if mode == "start" then
    if first then
      path, body = "/api/impersonation/start", "user=" .. target .. "&reason=bench"
    else
      path, body = "/api/impersonation/stop", ""
    end
  else
    if first then
      path, body = "/api/impersonation/allow", ""
    else
      path, body = "/api/impersonation/disallow", ""
    end
  end
  return wrk.format("POST", path, {
    ["Cookie"] = "impersonate_session=" .. cookie,
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  first = not first
  local set = headers["set-cookie"] or headers["Set-Cookie"]
  if set then
    local value = string.match(set, "impersonate_session=([^;]*)")
    if value and value ~= "" then cookie = value end
  end
end
