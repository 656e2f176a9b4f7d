// Reader's font size and high-contrast mode, and the print buttons. Loaded in <head> without defer:
// preferences reach <html> before the first paint. Kept in localStorage (shared by file:// pages in
// Chromium), with window.name as the fallback where storage is off or per-file, so they follow the
// reader from page to page in the tab.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEYS = { font: "portal.font", contrast: "portal.contrast" };
  var NAME_PREFIX = "portal-prefs:";

  function fromName() {
    var n = String(window.name || "");
    if (n.indexOf(NAME_PREFIX) !== 0) return {};
    try { return JSON.parse(n.slice(NAME_PREFIX.length)) || {}; } catch (e) { return {}; }
  }
  function load(key) {
    var v = null;
    try { v = window.localStorage.getItem(key); } catch (e) { v = null; }
    if (v === null) v = fromName()[key] || null;
    return v;
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage may be disabled */ }
    // Only take over window.name when it is free or already ours.
    var n = String(window.name || "");
    if (n === "" || n.indexOf(NAME_PREFIX) === 0) {
      var prefs = fromName();
      prefs[key] = value;
      window.name = NAME_PREFIX + JSON.stringify(prefs);
    }
  }

  function applyFont(size) {
    if (size === "small" || size === "large") root.setAttribute("data-font", size);
    else root.removeAttribute("data-font");
    var current = size === "small" || size === "large" ? size : "medium";
    var buttons = document.querySelectorAll(".js-font");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-font") === current));
    }
  }
  function applyContrast(on) {
    if (on) root.classList.add("contrast");
    else root.classList.remove("contrast");
    var buttons = document.querySelectorAll(".js-contrast");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(on));
  }
  function applyAll() {
    applyFont(load(KEYS.font));
    applyContrast(load(KEYS.contrast) === "1");
  }

  applyAll(); // before the body exists: sets <html> only
  document.addEventListener("DOMContentLoaded", applyAll); // again, for the buttons' state
  // Another tab changed a preference: follow it.
  window.addEventListener("storage", function (ev) {
    if (ev.key === KEYS.font || ev.key === KEYS.contrast) applyAll();
  });
  document.addEventListener("click", function (ev) {
    var t = ev.target && ev.target.closest ? ev.target.closest("button") : null;
    if (!t) return;
    if (t.classList.contains("js-font")) {
      var size = t.getAttribute("data-font");
      save(KEYS.font, size);
      applyFont(size);
    } else if (t.classList.contains("js-contrast")) {
      var on = !root.classList.contains("contrast");
      save(KEYS.contrast, on ? "1" : "0");
      applyContrast(on);
    } else if (t.classList.contains("js-print")) {
      window.print();
    } else if (t.classList.contains("js-doc-filter")) {
      filterDocs(t);
    }
  });

  // 政策文件 tables: every document is listed; with JS, buttons filter the rows by 状态.
  function setupDocFilter(box) {
    var table = box.parentNode.querySelector(".doc-table");
    if (!table) return;
    var rows = table.querySelectorAll("tbody tr");
    var counts = {}, order = [];
    Array.prototype.forEach.call(rows, function (r) {
      var s = r.getAttribute("data-status") || "";
      if (!s) return;
      if (!(s in counts)) { counts[s] = 0; order.push(s); }
      counts[s] += 1;
    });
    if (order.length < 2) return; // one status: nothing to choose between
    var label = document.createElement("span");
    label.className = "doc-filter-count";
    label.textContent = "按状态筛选：";
    box.appendChild(label);
    [""].concat(order).forEach(function (s) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "js-doc-filter";
      b.setAttribute("data-status", s);
      b.setAttribute("aria-pressed", s === "" ? "true" : "false");
      b.textContent = (s || "全部") + "（" + (s ? counts[s] : rows.length) + "）";
      box.appendChild(b);
    });
    var live = document.createElement("span");
    live.className = "doc-filter-count";
    live.setAttribute("role", "status");
    box.appendChild(live);
    box.hidden = false;
  }

  function filterDocs(button) {
    var box = button.parentNode;
    var want = button.getAttribute("data-status");
    Array.prototype.forEach.call(box.querySelectorAll(".js-doc-filter"), function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    var shown = 0;
    var rows = box.parentNode.querySelectorAll(".doc-table tbody tr");
    Array.prototype.forEach.call(rows, function (r) {
      var keep = !want || r.getAttribute("data-status") === want;
      r.hidden = !keep;
      if (keep) shown += 1;
    });
    box.querySelector("[role=status]").textContent = "显示 " + shown + " 件";
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-doc-filter]"), setupDocFilter);
  });
})();
