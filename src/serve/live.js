// portolan serve: reload on every rebuild, keep the scroll position, and
// come back by itself when the server restarts. Never part of `build` output.
(function () {
  "use strict";
  var key = "portolan-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, parseInt(saved, 10) || 0); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  var lost = false;
  var source = new EventSource("/__portolan/events");
  source.addEventListener("reload", reload);
  // EventSource reconnects on its own; a reconnect means the server
  // restarted, so the page may be stale.
  source.addEventListener("open", function () { if (lost) reload(); });
  source.addEventListener("error", function () { lost = true; });
})();
