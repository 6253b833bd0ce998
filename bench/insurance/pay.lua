-- wrk script of bench/supply: every request pays the next payer of this thread's share (each under its own key).
--   wrk -t2 -c16 -d10s -s sell_pack.lua http://127.0.0.1:PORT -- pay-requests.txt <bearer token>
-- Each response is read: one whose payload holds errors, or no sale, counts as refused.

local query = "mutation($input: PayContributionsInput!) { payContributions(input: $input) { replayed errors { code } } }"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local codes = {}
  for line in io.lines(args[1]) do
    if #line > 0 then codes[#codes + 1] = line end
  end
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2] }
  requests_made, refused, answered = {}, 0, 0
  -- Thread n of 2 takes every other payer, so no payer is paid for twice by the two threads.
  for i = thread_number, #codes, 2 do
    local body = '{"query":"' .. query .. '","variables":{"input":' .. codes[i] .. '}}'
    requests_made[#requests_made + 1] = wrk.format("POST", "/graphql", headers, body)
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
  io.write(string.format("payments refused: %d of %d\n", total_refused, total))
end
