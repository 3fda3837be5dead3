// Exit this page, enhanced. The link works on its own; with JavaScript, leaving also blanks the
// page at once and replaces this history entry, so Back does not bring the page back. Pressing
// Shift three times on its own (GOV.UK's pattern, within 5 seconds) does the same.
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
