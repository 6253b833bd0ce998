-- wrk script of bench/verify: every request POSTs the verifyPack document with a real code picked at random.
--   wrk -t2 -c32 -d20s --latency -s verify_pack.lua http://127.0.0.1:PORT -- path/to/codes.txt
-- codes.txt holds one JSON string a line (seed.py). The requests are formatted once per thread, up front.
-- Each response is looked at: one with "errors", or without a verdict, counts as an error even with status 200.

local query = "query($code: String!) { verifyPack(code: $code) { verdict severity product { tradeName inn } "
  .. "batch expiry maxRetailPrice location { organisation { name } } } }"
local threads = {}
local prepared = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local path = args[1] or "codes.txt"
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  for line in io.lines(path) do
    if #line > 0 then
      local body = '{"query":"' .. query .. '","variables":{"code":' .. line .. '}}'
      prepared[#prepared + 1] = wrk.format("POST", "/graphql", headers, body)
    end
  end
  math.randomseed(os.time() * 100 + thread_number)
  responses, graphql_errors, no_verdict, genuine = 0, 0, 0, 0
end

function request()
  return prepared[math.random(#prepared)]
end

function response(status, headers, body)
  responses = responses + 1
  if string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
  if not string.find(body, '"verdict"', 1, true) then
    no_verdict = no_verdict + 1
  elseif string.find(body, '"GENUINE"', 1, true) then
    genuine = genuine + 1
  end
end

function done(summary, latency, requests)
  local r, e, n, g = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    r = r + thread:get("responses")
    e = e + thread:get("graphql_errors")
    n = n + thread:get("no_verdict")
    g = g + thread:get("genuine")
  end
  io.write(string.format(
    "BENCH responses=%d graphql_errors=%d no_verdict=%d genuine=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    r, e, n, g, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
