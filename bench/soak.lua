-- The soak's mix for wrk, run by bench/soak.py:
--   wrk ... -s bench/soak.lua <base url> -- <file of page paths> <code> [<code> ...]
-- Four requests in five go through the pages in the file, in turn; the fifth is a QR scan
-- (/q/<code>) of one of the codes given, in turn, each time from another phone in another language.
-- Each thread counts its answers by status class, and the scans among them; done() adds up the
-- threads and prints "soak <name> <number>" lines for bench/soak.py to read.

local SCAN_EVERY = 5
local SCAN_PHONES = 40000 -- per thread: more scans than a thread sends in a 60 s run
-- What phones send: every language of the site, and German, which it does not have (English then).
local LANGUAGES = {
  "en-GB,en;q=0.9", "pl-PL,pl;q=0.9,en;q=0.8", "ro-RO,ro;q=0.9", "zh-CN,zh;q=0.9", "pt-PT,pt;q=0.9",
  "es-ES,es;q=0.9", "fa-IR,fa;q=0.9", "ar,en;q=0.5", "el-GR,el;q=0.9", "bg-BG,bg;q=0.9",
  "ne-NP,ne;q=0.9,en;q=0.5", "uk-UA,uk;q=0.9", "de-DE,de;q=0.9",
}

-- Setup and done share one Lua state; each running thread has its own (wrk's scripts/setup.lua).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- Pages and scans keep their own place in their lists: one counter for both would skip every fifth
-- page whenever the number of pages divides by five.
local pages, scans, sent, page, scan = {}, {}, 0, 0, 0
-- Read back by done() through thread:get, so a global. Socket errors are in wrk's summary instead.
counts = { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0, other = 0, scans = 0 }

local function get(path, lang)
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip", ["Accept-Language"] = lang })
end

-- Build every request once: formatting one per request would cost wrk more than the server.
function init(args)
  for path in io.lines(args[1]) do
    table.insert(pages, get(path, LANGUAGES[#pages % #LANGUAGES + 1]))
  end
  -- Each scan from another phone (its own User-Agent, with this run's start and the thread in it),
  -- as on a real night: the same phone again within minutes is a repeat, answered but not written.
  local codes, run = {}, os.time() .. "-" .. tostring(id)
  for i = 2, #args do
    table.insert(codes, args[i])
  end
  for i = 1, SCAN_PHONES do
    table.insert(scans, wrk.format("GET", "/q/" .. codes[i % #codes + 1], {
      ["Accept-Encoding"] = "gzip",
      ["Accept-Language"] = LANGUAGES[i % #LANGUAGES + 1],
      ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Soak-Phone/" .. run .. "-" .. i,
    }))
  end
  -- Start each thread elsewhere in the lists, so the threads do not ask for the same page at once.
  page, scan = (id or 0) * 97 % #pages, (id or 0) * 13 % #scans
end

function request()
  sent = sent + 1
  if sent % SCAN_EVERY == 0 then
    scan = scan % #scans + 1
    return scans[scan]
  end
  page = page % #pages + 1
  return pages[page]
end

-- wrk does not say which request an answer belongs to, so a scan is known by its answer: only the
-- scan redirect is a 302 that must not be cached.
function response(status, headers, body)
  local class = math.floor(status / 100) .. "xx"
  if counts[class] == nil then
    class = "other"
  end
  counts[class] = counts[class] + 1
  if status == 302 and headers["Cache-Control"] == "no-store" then
    counts.scans = counts.scans + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for name, number in pairs(thread:get("counts")) do
      totals[name] = (totals[name] or 0) + number
    end
  end
  io.write(string.format("soak requests %d\n", summary.requests))
  io.write(string.format("soak duration_us %d\n", summary.duration))
  for name, number in pairs(totals) do
    io.write(string.format("soak status_%s %d\n", name, number))
  end
  for name, number in pairs(summary.errors) do
    io.write(string.format("soak error_%s %d\n", name, number))
  end
end
