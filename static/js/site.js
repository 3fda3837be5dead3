// Safer Nights. Everything here enhances links that work without JavaScript.

// Exit this page. The link works on its own; with JavaScript, leaving also blanks the page at
// once and replaces this history entry, so Back does not bring the page back. Pressing Shift
// three times on its own (GOV.UK's pattern, within 5 seconds) does the same.
(function () {
  "use strict";
  var link = document.querySelector("[data-exit]");
  if (!link) {
    return;
  }
  var presses = 0;
  var timer = null;

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    document.title = "";
    window.location.replace(link.href);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      presses = 0; // Shift with another key is typing a capital, not asking to leave
      return;
    }
    if (event.repeat) {
      return;
    }
    presses += 1;
    window.clearTimeout(timer);
    if (presses === 3) {
      leave();
      return;
    }
    timer = window.setTimeout(function () { presses = 0; }, 5000);
  });
}());

// With JavaScript, the whole visit is one history entry: a link to another page of this site
// replaces the current entry instead of adding one, so that Exit, which replaces that entry too,
// leaves no page of this site for Back to show. Links elsewhere, phone links, downloads, new tabs
// and clicks with a modifier key (open in a new tab) are left to the browser.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    if (link.origin !== window.location.origin || link.target || link.hasAttribute("download") || link.hash && link.pathname === window.location.pathname) {
      return;
    }
    event.preventDefault();
    window.location.replace(link.href);
  });
}());

// Offline: the service worker saves this language's pages (see /sw.js). Not after "remove this
// site from this phone": the page that removed it leaves a mark in this tab's session storage
// (a "1", nothing about the reader, gone when the tab closes), so pages opened from it in this
// tab save nothing again; opening the site afresh (a new scan, a new tab) does, as that page says.
(function () {
  "use strict";
  var removed = false;
  try {
    if (document.body.hasAttribute("data-forget")) {
      window.sessionStorage.setItem("removed", "1");
    }
    removed = window.sessionStorage.getItem("removed") === "1";
  } catch (error) {
    removed = document.body.hasAttribute("data-forget"); // storage refused: at least not here
  }
  if ("serviceWorker" in navigator && !removed && !document.body.hasAttribute("data-no-worker")) {
    navigator.serviceWorker.register("/sw.js");
  }
}());

// "Remove this site from this phone": the link alone reaches a page that answers with
// Clear-Site-Data; with JavaScript, the service worker and its caches are removed first too, for
// browsers that do not support that header.
(function () {
  "use strict";
  var link = document.querySelector("a[href='forget']");
  if (!link || !("serviceWorker" in navigator)) {
    return;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var removing = navigator.serviceWorker.getRegistrations().then(function (registrations) {
      return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
    }).then(function () {
      return window.caches ? caches.keys() : [];
    }).then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    });
    removing.finally(function () { window.location.replace(link.href); });
  });
}());

// The directory, instantly: filter the cards as the reader chooses, and work out "open now" in
// UK time on the phone itself, so a page saved for offline use is still right hours later.
(function () {
  "use strict";
  var form = document.querySelector("[data-filters]");
  var list = document.querySelector("[data-label-open]");
  if (!form || !list) {
    return;
  }
  var WEEK = 7 * 24 * 60;
  var HOUR = 3600 * 1000;

  // 01:00 UTC on the last Sunday of a month (0 is January), in ms since 1970.
  function lastSunday(year, month) {
    var lastDay = new Date(Date.UTC(year, month + 1, 0, 1));
    return lastDay.getTime() - lastDay.getUTCDay() * 24 * HOUR;
  }

  // UK clock time, from UTC and the UK's summer time rule: an hour ahead from 01:00 UTC on the
  // last Sunday of March to 01:00 UTC on the last Sunday of October (the Summer Time Order 2002).
  // Not Intl with timeZone "Europe/London": loading its time zone data on first use blocked the
  // page for 60 ms or more in desktop Chromium, four times that on the phone Lighthouse simulates.
  function minutesIntoUkWeek() {
    var now = Date.now();
    var year = new Date(now).getUTCFullYear();
    var summer = now >= lastSunday(year, 2) && now < lastSunday(year, 9);
    var uk = new Date(now + (summer ? HOUR : 0));
    return ((uk.getUTCDay() + 6) % 7) * 1440 + uk.getUTCHours() * 60 + uk.getUTCMinutes();
  }

  function isOpen(hours, now) {
    if (hours === "always") {
      return true;
    }
    return hours.split(" ").some(function (span) {
      var edges = span.split("-").map(Number);
      return [now, now + WEEK].some(function (minute) { return edges[0] <= minute && minute < edges[1]; });
    });
  }

  function apply() {
    var need = form.elements.need.value;
    var openOnly = form.elements.open.checked;
    var now = minutesIntoUkWeek();
    var shown = 0;
    Array.prototype.forEach.call(list.children, function (card) {
      var hours = card.getAttribute("data-hours");
      var open = hours ? isOpen(hours, now) : null;
      var state = card.querySelector("[data-state]");
      if (state && open !== (state.parentNode.className.indexOf("is-open") !== -1)) {
        state.textContent = list.getAttribute(open ? "data-label-open" : "data-label-closed");
        state.parentNode.className = "availability " + (open ? "is-open" : "is-closed");
      }
      // Open now keeps a service whose hours are not known (open is null): it may well answer.
      var visible = (!need || card.getAttribute("data-needs").split(" ").indexOf(need) !== -1) && (!openOnly || open !== false);
      card.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-right-now]"), function (section) {
      section.hidden = section.getAttribute("data-right-now") !== need;
    });
    var count = document.querySelector("[data-count]");
    count.textContent = count.getAttribute("data-count").replace("{shown}", shown).replace("{total}", list.children.length);
    var query = new URLSearchParams(new FormData(form)).toString().replace(/(^|&)need=(&|$)/, "$1");
    history.replaceState(null, "", form.action + (query ? "?" + query : ""));
  }

  // A filtered address (?need=spiking&open=now) opened with no signal gets the saved directory:
  // choose what the address asks for before filtering.
  var asked = new URLSearchParams(window.location.search);
  if (form.elements.need.querySelector("option[value='" + CSS.escape(asked.get("need") || "") + "']")) {
    form.elements.need.value = asked.get("need") || "";
  }
  form.elements.open.checked = form.elements.open.checked || asked.get("open") === "now";
  form.addEventListener("change", apply);
  apply();
}());

// The share kit: a Copy button beside each thing to paste, where the browser can copy.
(function () {
  "use strict";
  var labels = document.querySelector("[data-copy-labels]");
  if (!labels || !navigator.clipboard) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (item) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = labels.getAttribute("data-label");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(item.textContent.trim()).then(function () {
        button.textContent = labels.getAttribute("data-done");
      });
    });
    item.insertAdjacentElement("afterend", button);
  });
}());
