-- QR scans as many phones make them, for bench/run.py:
--   wrk ... -s bench/scans.lua <base url>/q/<code>
-- Each request comes from another phone (its own User-Agent), so every one is judged and written
-- in full, as a real scan is; the same phone twice within minutes would be a repeat, which the site
-- answers without writing anything and which would flatter the figure.
-- Built once per thread: formatting one per request would cost wrk more than the server.
local PHONES = 40000 -- per thread: more than a thread sends in a 10 s run
local requests, sent, threads = {}, 0, 0

-- Setup runs in the main Lua state, once per thread: it numbers them, so no two share a phone.
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  -- The start time too: a later run within minutes must not send the same phones again.
  local thread = os.time() .. "-" .. tostring(id)
  for i = 1, PHONES do
    requests[i] = wrk.format("GET", nil, {
      ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Bench-Phone/" .. thread .. "-" .. i,
      ["Accept-Language"] = "pl-PL,pl;q=0.9",
    })
  end
end

function request()
  sent = sent % PHONES + 1
  return requests[sent]
end
