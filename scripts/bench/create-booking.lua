-- wrk: POST a booking per request, each at its own free five-minute slot (one thread
-- per half of the year), for the customer in BENCH_CUSTOMER from BENCH_START (epoch).
local counter = 0
local thread_id = 0
local threads = {}
local customer = os.getenv("BENCH_CUSTOMER")
local start = tonumber(os.getenv("BENCH_START"))

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

request = function()
  counter = counter + 1
  local slot = thread_id * 50000 + counter
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ", start + slot * 300)
  local body = string.format('{"customer_id":"%s","scheduled_time":"%s"}', customer, at)
  return wrk.format("POST", "/api/bookings", {["content-type"] = "application/json"}, body)
end
