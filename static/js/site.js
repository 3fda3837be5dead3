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

// Offline: the service worker saves this language's pages (see /sw.js). Not on the page that
// has just removed the site from this phone.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && !document.body.hasAttribute("data-forget")) {
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
