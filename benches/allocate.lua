-- wrk script: POST /api/v1/allocations with an API token, a distinct title per request.
-- Usage: ISRC_TOKEN=... wrk -s benches/allocate.lua http://127.0.0.1:PORT
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  -- Distinct titles across runs on one ledger: ISRC_RUN names the run.
  -- Letters between the numbers: titles are compared folded (letters and digits only), so
  -- "1-12" and "11-2" would be one recording.
  run = os.getenv("ISRC_RUN") or ""
  created = 0
  other = 0
  wrk.method = "POST"
  wrk.path = "/api/v1/allocations"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("ISRC_TOKEN")
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"title":"Load %s t%d n%d","artist":"Bench","duration":"3:00"}', run, tid, counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if other <= 3 then
      io.stderr:write("unexpected " .. status .. ": " .. body .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("allocated (201): %d, other answers: %d\n", c, o))
end
