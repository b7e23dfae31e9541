-- wrk: POST a new customer per request, each with its own e-mail address.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench %d","email":"bench-%d-%d-%d@example.com","company":"Load Test Inc"}',
    counter, os.time(), thread_id, counter)
  return wrk.format("POST", "/api/crm/customers", {["content-type"] = "application/json"}, body)
end
