// Safer Nights service worker: one visit saves every page of the reader's language, so the site
// opens with no signal. Pages: network first, but never more than a few seconds on a weak signal;
// fingerprinted static files: from the cache. Caches are named by a version hashed from the
// site itself, so any change reaches phones on their next visit online.
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

async function savePack(lang) {
  const cache = await caches.open(pagesCache(lang));
  // no-cache: ask the server (a cheap 304 when unchanged), never take a page from the HTTP cache
  // that the version being replaced may have left there.
  await cache.addAll(PACKS[lang].map((url) => new Request(url, { cache: "no-cache" })));
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    await (await caches.open(SHELL_CACHE)).addAll(SHELL);
    await Promise.all((await languagesToSave()).map(savePack));
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
  const fromNetwork = fetch(request).then(async (response) => {
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
