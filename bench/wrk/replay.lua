-- Replays a prepared list of requests (written by bench/seed.py) and reports one JSON line.
--
--   wrk -t1 -c4 -d10s --timeout 30s -s bench/wrk/replay.lua http://127.0.0.1:8400 -- FILE TAG THREADS
--
-- FILE has one entry per line, fields separated by tabs:
--   B <id> <json body>                  a request body, referred to by its id
--   R <method> <path> <authorization> <body id or ->
-- Each wrk thread takes every n-th request (n = threads) and goes through its share in order,
-- then starts again ("wrapped" counts the restarts: a scenario that must never repeat a request,
-- like answering a survey, is sized so that it does not). "{n}" in a body becomes a value unique
-- to this run (TAG, thread and a counter): sign-ups need a new address every time.
-- Every status outside 2xx counts as an error; the summary line starts with "WRK_JSON ".

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, tag, total = args[1], args[2] or "run", tonumber(args[3] or "1")
  bodies, entries, statuses = {}, {}, {}
  position, counter, non2xx, wrapped = 0, 0, 0, 0
  local index = 0
  for line in io.lines(path) do
    local id, body = line:match("^B\t([^\t]+)\t(.*)$")
    if id then
      bodies[id] = body
    else
      local method, target, authorization, body_id =
        line:match("^R\t([^\t]+)\t([^\t]+)\t([^\t]*)\t([^\t]*)$")
      if method then
        if index % total == thread_number then
          table.insert(entries, {
            method = method, path = target, authorization = authorization, body = body_id})
        end
        index = index + 1
      end
    end
  end
  if #entries == 0 then
    error("no requests for thread " .. thread_number .. " in " .. path)
  end
  unique_prefix = tag .. "-" .. thread_number .. "-"
end

function request()
  position = position + 1
  if position > #entries then
    position, wrapped = 1, wrapped + 1
  end
  local entry = entries[position]
  local headers = {Accept = "application/json"}
  if entry.authorization ~= "" then
    headers["Authorization"] = entry.authorization
  end
  local body = nil
  if entry.body ~= "-" and entry.body ~= "" then
    counter = counter + 1
    body = (bodies[entry.body]:gsub("{n}", unique_prefix .. counter))
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(entry.method, entry.path, headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errors, wraps, counts, codes = 0, 0, {}, {}
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("non2xx")
    wraps = wraps + thread:get("wrapped")
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  for status, count in pairs(counts) do
    codes[#codes + 1] = string.format('"%d": %d', status, count)
  end
  local socket = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "statuses": {%s}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "wrapped": %d}\n',
    summary.requests, summary.duration, errors, table.concat(codes, ", "),
    socket.connect, socket.read, socket.write, socket.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, wraps))
end
