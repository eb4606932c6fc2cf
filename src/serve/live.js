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
  // The stream is redirected to a port of its own, which changes when the
  // server restarts; EventSource would retry that old port forever. So on
  // any error start over from this origin's events URL, and reload once a
  // stream opens again: the server restarted and the page may be stale.
  var lost = false;
  var source = null;
  function connect() {
    source = new EventSource("/__portolan/events");
    source.addEventListener("reload", reload);
    source.addEventListener("open", function () { if (lost) reload(); });
    source.addEventListener("error", function () {
      lost = true;
      source.close();
      setTimeout(connect, 1000);
    });
  }
  connect();
})();
