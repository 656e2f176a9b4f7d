// policy-portal serve mode only: reload the page when a rebuild finished, and show the build's
// diagnostics over the page while the sources have errors (the last good site stays served).
(function () {
  "use strict";
  var overlay = null;
  function css() {
    if (document.getElementById("portal-live-css")) return;
    var link = document.createElement("link");
    link.id = "portal-live-css";
    link.rel = "stylesheet";
    link.href = "/__portal/live.css";
    document.head.appendChild(link);
  }
  function show(lines) {
    css();
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = "portal-live-overlay";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-labelledby", "portal-live-title");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("h2");
    h.id = "portal-live-title";
    h.textContent = "构建出错：修改保存后自动刷新（" + lines.length + " 条）";
    overlay.appendChild(h);
    var list = document.createElement("ol");
    lines.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
    overlay.appendChild(list);
  }
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  var source = new EventSource("/__portal/events");
  source.addEventListener("reload", function () { hide(); window.location.reload(); });
  // A newer search index is in place: the search page asks again (other pages do not use it).
  source.addEventListener("search", function () { if (window.PortalSearchUI) window.location.reload(); });
  source.addEventListener("errors", function (e) { show(JSON.parse(e.data)); });
  // Let the stream go with the page: Chromium keeps at most six connections to a host, and
  // streams of pages left behind would hold them until the next keep-alive, stalling the next page.
  window.addEventListener("pagehide", function () { source.close(); });
  window.portalLive = { source: source };
})();
