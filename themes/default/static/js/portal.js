// policy-portal default theme: font size and high-contrast preferences (kept in localStorage so they
// persist across pages), and the print button. Plain script, no dependencies, no inline handlers.
(function () {
  "use strict";
  var root = document.documentElement;
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage may be disabled */ }
  }
  function applyFont(size) {
    if (size === "small" || size === "large") root.setAttribute("data-font", size);
    else root.removeAttribute("data-font");
    document.querySelectorAll(".js-font").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-font") === (size || "medium")));
    });
  }
  function applyContrast(on) {
    root.classList.toggle("contrast", on);
    document.querySelectorAll(".js-contrast").forEach(function (b) { b.setAttribute("aria-pressed", String(on)); });
  }
  applyFont(load("portal.font"));
  applyContrast(load("portal.contrast") === "1");
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("button");
    if (!t) return;
    if (t.classList.contains("js-font")) {
      var size = t.getAttribute("data-font");
      save("portal.font", size);
      applyFont(size);
    } else if (t.classList.contains("js-contrast")) {
      var on = !root.classList.contains("contrast");
      save("portal.contrast", on ? "1" : "0");
      applyContrast(on);
    } else if (t.classList.contains("js-print")) {
      window.print();
    }
  });
})();
