-- wrk script for `make bench`: cycles through the requests in the file named by the
-- environment variable BENCH_REQUESTS (one per line: METHOD<TAB>PATH<TAB>BODY), sends the
-- headers of BENCH_HEADERS (lines "Name: value"), and at the end prints one JSON line with
-- latency percentiles, requests per second, status counts and the app's own time
-- (Server-Timing: app;dur=...).
--
-- With BENCH_PER_THREAD=1, thread N reads its own file, BENCH_REQUESTS.N, from its first
-- line: run it with one connection per thread (-tN -cN) and each connection sends its own
-- sequence in order (a checkout, then the check-in of that copy).
--
-- In that mode the next line is taken when a response arrives, not when request() is
-- called: wrk calls request() once more than it sends (at start-up, thread 0 builds one
-- request only to check it), and that call used to skip the first line, so the desk's
-- sequence began with a check-in of a copy never checked out (the one 409 of every desk
-- run). Without it (independent requests, several connections per thread) request() moves
-- on, so the connections of a thread do not send the same request at once.
local threads = {}
local ordered = os.getenv("BENCH_PER_THREAD") == "1"
local requests = {}
local headers = {}

local function load()
  local file = os.getenv("BENCH_REQUESTS")
  if ordered then file = file .. "." .. id end
  for line in io.lines(file) do
    local method, path, body = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    if method then
      table.insert(requests, {method = method, path = path, body = body ~= "" and body or nil})
    end
  end
  local header_file = os.getenv("BENCH_HEADERS")
  if header_file and header_file ~= "" then
    for line in io.lines(header_file) do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then headers[name] = value end
    end
  end
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  load()
  if ordered then
    index = 1
  else
    index = (id * 7919) % #requests
  end
  app_times = {}
  statuses = {}
end

function request()
  if not ordered then index = index % #requests + 1 end
  local r = requests[index]
  return wrk.format(r.method, r.path, headers, r.body)
end

function response(status, response_headers, body)
  if ordered then index = index % #requests + 1 end
  statuses[status] = (statuses[status] or 0) + 1
  local timing = response_headers["Server-Timing"] or response_headers["server-timing"]
  if timing then
    local dur = timing:match("dur=([%d%.]+)")
    if dur then table.insert(app_times, tonumber(dur)) end
  end
end

function done(summary, latency, requests_)
  local app = {}
  local status_totals = {}
  for _, thread in ipairs(threads) do
    for _, t in ipairs(thread:get("app_times")) do table.insert(app, t) end
    for code, n in pairs(thread:get("statuses")) do
      status_totals[tostring(code)] = (status_totals[tostring(code)] or 0) + n
    end
  end
  table.sort(app)
  local function pct(list, p)
    if #list == 0 then return -1 end
    return list[math.max(1, math.ceil(#list * p / 100))]
  end
  local parts = {}
  for code, n in pairs(status_totals) do table.insert(parts, string.format('"%s": %d', code, n)) end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p95_ms": %.3f, ' ..
    '"p99_ms": %.3f, "app_p50_ms": %.3f, "app_p95_ms": %.3f, "errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    pct(app, 50), pct(app, 95),
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout,
    table.concat(parts, ", ")))
end
