// policy-portal: fill-in mode of a form page. "填写" makes every blank (data-f) editable and every
// check box tickable; what is typed is kept in this browser's localStorage (key portal.form.<id>.<version>)
// until "清空填写内容", and is never sent anywhere. Printing prints the page as it is, so a filled form
// prints filled. Plain script, no dependencies, no inline handlers.
(function () {
  "use strict";
  var doc = document.querySelector(".form-page .form-doc");
  var fillButton = document.querySelector(".js-form-fill");
  var clearButton = document.querySelector(".js-form-clear");
  var status = document.querySelector(".form-status");
  if (!doc || !fillButton) return;
  var key = "portal.form." + doc.getAttribute("data-form") + "." + (doc.getAttribute("data-version") || "");
  var fields = Array.prototype.slice.call(doc.querySelectorAll("[data-f]"));

  function load() {
    try {
      var v = JSON.parse(window.localStorage.getItem(key) || "{}");
      return v && typeof v === "object" ? v : {};
    } catch (e) {
      return {};
    }
  }
  function store(values) {
    try {
      if (Object.keys(values).length) window.localStorage.setItem(key, JSON.stringify(values));
      else window.localStorage.removeItem(key);
      return true;
    } catch (e) {
      say("浏览器不允许保存，填写内容在关闭页面后不会保留。");
      return false;
    }
  }
  function say(text) {
    if (status) status.textContent = text;
  }
  var values = load();

  function isBox(el) {
    return el.classList.contains("chk");
  }
  function setBox(el, on) {
    el.classList.toggle("on", on);
    el.setAttribute("aria-checked", String(on));
  }
  function show() {
    fields.forEach(function (el) {
      var v = values[el.getAttribute("data-f")];
      if (isBox(el)) setBox(el, v === true);
      else el.textContent = typeof v === "string" ? v : "";
    });
  }
  // The label a blank belongs to: its row's first label cell, else the text just before it.
  function labelOf(el) {
    var cell = el.closest("td, th");
    var row = cell && cell.parentElement;
    var label = row && row.querySelector("th");
    var text = label ? label.textContent : "";
    if (!text && el.previousSibling) text = el.previousSibling.textContent || "";
    return (text.trim() || "填写栏").slice(0, 40);
  }
  function editable(el, on) {
    if (!on) {
      el.removeAttribute("contenteditable");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
      el.removeAttribute("tabindex");
      return;
    }
    try {
      el.contentEditable = "plaintext-only";
    } catch (e) {
      el.contentEditable = "true";
    }
    el.setAttribute("role", "textbox");
    el.setAttribute("aria-label", labelOf(el));
    if (el.classList.contains("fill")) el.setAttribute("aria-multiline", "true");
  }
  function setMode(on) {
    doc.classList.toggle("filling", on);
    fillButton.setAttribute("aria-pressed", String(on));
    if (clearButton) clearButton.hidden = !on;
    fields.forEach(function (el) {
      if (isBox(el)) {
        if (on) el.setAttribute("tabindex", "0");
        else el.removeAttribute("tabindex");
      } else {
        editable(el, on);
      }
    });
    say(on ? "填写模式：内容只保存在本机浏览器中，不会上传。" : "");
  }
  function filling() {
    return doc.classList.contains("filling");
  }
  function toggleBox(el) {
    var on = !el.classList.contains("on");
    setBox(el, on);
    if (on) values[el.getAttribute("data-f")] = true;
    else delete values[el.getAttribute("data-f")];
    store(values);
  }

  doc.addEventListener("input", function (ev) {
    var el = ev.target.closest("[data-f]");
    if (!el || isBox(el)) return;
    var text = el.innerText.replace(/\n$/, "");
    if (text) values[el.getAttribute("data-f")] = text;
    else delete values[el.getAttribute("data-f")];
    store(values);
  });
  doc.addEventListener("click", function (ev) {
    var el = ev.target.closest(".chk");
    if (el && filling()) toggleBox(el);
  });
  doc.addEventListener("keydown", function (ev) {
    var el = ev.target.closest(".chk");
    if (el && filling() && (ev.key === " " || ev.key === "Enter")) {
      ev.preventDefault();
      toggleBox(el);
    }
  });
  fillButton.addEventListener("click", function () {
    setMode(!filling());
  });
  if (clearButton) {
    clearButton.addEventListener("click", function () {
      if (!window.confirm("清空本表在本机保存的全部填写内容？")) return;
      values = {};
      store(values);
      show();
      say("已清空。");
    });
  }

  show();
  if (Object.keys(values).length) {
    setMode(true);
    say("已恢复本机保存的填写内容（只保存在本机浏览器中，不会上传）。");
  }
})();
