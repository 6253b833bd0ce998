-- wrk script shared by the write benchmarks: every request POSTs the next GraphQL body of this thread's share, once.
--   wrk -t2 -c16 -d10s -s post_each.lua http://127.0.0.1:PORT -- bodies.txt <bearer token>
-- bodies.txt holds one whole JSON request body a line. Thread n of 2 takes every other line, so no body is sent by
-- both threads. Each response is read: one that is not 200 or whose payload does not hold `"errors":[]` counts as
-- refused, and the count is printed as `refused: N of M`.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2] }
  requests_made, refused, answered = {}, 0, 0
  local n = 0
  for line in io.lines(args[1]) do
    if #line > 0 then
      n = n + 1
      if n % 2 == thread_number % 2 then
        requests_made[#requests_made + 1] = wrk.format("POST", "/graphql", headers, line)
      end
    end
  end
  next_request = 0
end

function request()
  next_request = next_request + 1
  return requests_made[((next_request - 1) % #requests_made) + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not string.find(body, '"errors":%[%]') then refused = refused + 1 end
end

function done(summary, latency, requests)
  local total_refused, total = 0, 0
  for _, thread in ipairs(threads) do
    total_refused = total_refused + thread:get("refused")
    total = total + thread:get("answered")
  end
  io.write(string.format("refused: %d of %d\n", total_refused, total))
end
