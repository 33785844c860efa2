// Kiosk: leave nothing for the next voter. Clear this origin's storage, replace the history
// entry (so "back" cannot return to a ballot), and after an idle time return to the blank screen.
(function () {
  "use strict";
  try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (e) { /* disabled */ }
  window.history.replaceState(null, "", window.location.href);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }  // never show a page from the bfcache
  });
  var script = document.currentScript;
  var idleSeconds = parseInt(script && script.dataset.idleSeconds, 10) || 90;
  var timer;
  function reset() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var form = document.getElementById("kiosk-reset");
      if (form) { form.submit(); }
    }, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    window.addEventListener(name, reset, { passive: true });
  });
  reset();
})();
