// Safer Nights service worker: one visit saves every page of the reader's language, so the site
// opens with no signal. The pack comes in one answer (/pack/<version>/<lang>.json), each file with
// its SHA-256; nothing is kept unless every file checks out, so a download cut off in a basement
// never replaces a good pack. The next version fetches only the files whose hash changed.
// Pages: network first, but never more than a few seconds on a weak signal; fingerprinted static
// files: from the cache. Caches are named by a version hashed from the site itself, so any change
// reaches phones on their next visit online.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const PACKS = {{ packs|tojson }};
const NETWORK_TIMEOUT = 3000; // ms; after this a weak signal gets the saved copy
const NEVER_SAVED = [/^\/q\//, /^\/admin\//, /\/forget$/]; // scans, the dashboard, "remove this site"
const SHELL_CACHE = "shell-" + VERSION;

function pagesCache(lang) {
  return "pages-" + VERSION + "-" + lang;
}

function languageOf(url) {
  const first = new URL(url, self.location.origin).pathname.split("/")[1];
  return Object.prototype.hasOwnProperty.call(PACKS, first) ? first : null;
}

// The languages to save: those of the pages open now, and those saved by an earlier version.
async function languagesToSave() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.map((client) => languageOf(client.url));
  const saved = (await caches.keys()).filter((name) => name.startsWith("pages-")).map((name) => name.split("-").pop());
  return [...new Set([...open, ...saved])].filter((lang) => PACKS[lang]);
}

function packUrl(lang, name) {
  return "/pack/" + VERSION + "/" + lang + name;
}

async function fetchJson(url) {
  // no-cache: ask the server (a cheap 304 when unchanged), never trust a copy the HTTP cache kept.
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(url + ": " + response.status);
  }
  return response.json();
}

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function cacheOf(url, lang) {
  return url.startsWith("/static/") ? SHELL_CACHE : pagesCache(lang);
}

// The caches of the pack this phone saved for an earlier version, if any: {pages, shell}.
async function savedBefore(lang) {
  const names = await caches.keys();
  const pages = names.find((name) => name.startsWith("pages-") && name.endsWith("-" + lang) && name !== pagesCache(lang));
  return pages && { pages, shell: names.find((name) => name.startsWith("shell-") && name !== SHELL_CACHE) };
}

// [url, response] of each file in the index that the phone holds with the same hash.
async function unchanged(index, before) {
  const kept = [];
  for (const [url, hash] of index.files) {
    const cacheName = url.startsWith("/static/") ? before.shell : before.pages;
    const saved = cacheName && (await caches.match(url, { cacheName }));
    if (saved && (await sha256(await saved.clone().text())) === hash) {
      kept.push([url, saved]);
    }
  }
  return kept;
}

// [url, response] of every file of the language's pack, each checked against its hash: on a first
// visit all from one answer; after a deploy, the unchanged ones from the saved pack and only the
// others from the server (?only=). Throws, having kept nothing, if any file does not check out.
async function download(lang) {
  const before = await savedBefore(lang);
  const index = before && (await fetchJson(packUrl(lang, ".index.json")));
  const kept = index ? await unchanged(index, before) : [];
  const held = new Set(kept.map(([url]) => url));
  const missing = index ? index.files.flatMap(([url], i) => (held.has(url) ? [] : [i])) : [];
  if (index && !missing.length) {
    return kept;
  }
  const pack = await fetchJson(packUrl(lang, ".json") + (kept.length ? "?only=" + missing.join(",") : ""));
  const fetched = await Promise.all(pack.files.map(async (file) => {
    if ((await sha256(file.body)) !== file.sha256) {
      throw new Error(file.url + ": the pack was damaged on the way");
    }
    return [file.url, new Response(file.body, { headers: { ...pack.headers, "Content-Type": file.type } })];
  }));
  return [...kept, ...fetched];
}

async function savePack(lang) {
  const files = await download(lang);
  // All at once: one after another, the 37 puts of a pack took 0.3-0.45 s, together 0.1-0.2 s.
  // Every put is settled before any is judged, so none still running can open the cache again
  // after a failure has deleted it.
  const puts = await Promise.allSettled(files.map(async ([url, response]) => (await caches.open(cacheOf(url, lang))).put(url, response)));
  const failed = puts.find((put) => put.status === "rejected");
  if (failed) {
    await caches.delete(pagesCache(lang)); // all or nothing: the earlier version's pack stays
    throw failed.reason;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    await Promise.all((await languagesToSave()).map(savePack));
    // The shell, when no language was saved (the first page was not a reader's page).
    const shell = await caches.open(SHELL_CACHE);
    await shell.addAll((await Promise.all(SHELL.map(async (url) => ((await shell.match(url)) ? null : url)))).filter(Boolean));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys()).filter((name) => !name.endsWith(VERSION) && !name.includes("-" + VERSION + "-"));
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function timeout(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

async function offlinePage(url) {
  const langs = [languageOf(url), ...Object.keys(PACKS)].filter(Boolean);
  for (const lang of langs) {
    const page = await caches.match("/" + lang + "/offline");
    if (page) {
      return page;
    }
  }
  return new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

async function networkFirst(request) {
  const lang = languageOf(request.url);
  // Only whole pages are saved: a filtered address (?need=…&open=now) is the saved page filtered
  // on the phone by site.js, so it is never stored on its own.
  const whole = !new URL(request.url).search;
  // no-cache: the server's page, or the saved one. A copy the HTTP cache kept from before a deploy
  // (pages may be kept 5 minutes) would hide the new page the pack has just saved.
  const fromNetwork = fetch(request, { cache: "no-cache" }).then(async (response) => {
    if (response.ok && lang && whole) {
      await (await caches.open(pagesCache(lang))).put(request, response.clone());
    }
    return response;
  });
  const first = await Promise.race([fromNetwork.catch(() => null), timeout(NETWORK_TIMEOUT)]);
  if (first) {
    return first;
  }
  return (await caches.match(request, { ignoreSearch: true })) || offlinePage(request.url);
}

async function cacheFirst(request) {
  const saved = await caches.match(request);
  if (saved) {
    return saved;
  }
  const response = await fetch(request);
  if (response.ok) {
    await (await caches.open(SHELL_CACHE)).put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (NEVER_SAVED.some((path) => path.test(url.pathname))) {
    // Not saved, but a poster scanned with no signal still gets the list of saved pages.
    if (request.mode === "navigate") {
      event.respondWith(fetch(request).catch(() => offlinePage(request.url)));
    }
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
