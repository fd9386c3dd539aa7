-- wrk script: each request is a chart-endpoint URL drawn from a file that
-- bench/serve_latency --paths-out wrote (random filter combinations).
--   wrk -t2 -c32 -d20s -s bench/serve_wrk.lua http://127.0.0.1:8080 -- urls.txt
local paths = {}
local counter = 0

function init(args)
  local file = assert(io.open(args[1] or "serve_urls.txt", "r"))
  for line in file:lines() do paths[#paths + 1] = line end
  file:close()
  -- Threads start at different offsets so they do not ask in lockstep.
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  io.write(string.format("requests/s %.0f, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
