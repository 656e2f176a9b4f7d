// policy-portal search page: results as you type, kind filters, marked snippets, links that land
// on the matched heading or article. Uses window.PortalSearch (search-core.js). The query is kept
// in the address (?q=…&kind=…) so results can be linked and the header search box can submit here.
// Everything is built with DOM methods (no innerHTML), so page text is never parsed as HTML.
(function () {
  "use strict";
  var PAGE = 10, DEBOUNCE_MS = 120;
  var form = document.getElementById("search-form");
  if (!form || !window.PortalSearch) return;
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var kindsBox = document.getElementById("search-kinds");
  var more = document.getElementById("search-more");
  var suggestBox = document.getElementById("search-suggest");
  var base = form.getAttribute("data-index");
  var root = base.replace(/search\/$/, "");
  var params = new URLSearchParams(window.location.search);
  var state = { kind: params.get("kind") || "", shown: 0, seq: 0, done: "" };
  // For tests and benchmarks: the last query answered and its results.
  var ui = window.PortalSearchUI = { ready: false, query: null, results: [], total: 0, error: null };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function renderResult(r) {
    var li = el("li", "search-result");
    li.setAttribute("data-url", r.url);
    var a = el("a", "search-result-title", r.title);
    a.href = root + r.url;
    li.appendChild(a);
    li.appendChild(el("span", "kind-badge", r.kind));
    // Validity in words (现行有效 / 已修订 / 已废止), not colour alone.
    if (r.status) li.appendChild(el("span", "status-badge" + (r.status === "现行有效" ? "" : " status-badge-old"), r.status));
    if (r.docNumber) li.appendChild(el("span", "doc-number-inline", r.docNumber));
    if (r.section && r.section !== r.title) li.appendChild(el("span", "search-result-section", "› " + r.section));
    var p = el("p", "search-result-snippet");
    r.segments.forEach(function (s) { p.appendChild(s[1] ? el("mark", "", s[0]) : document.createTextNode(s[0])); });
    li.appendChild(p);
    li.appendChild(el("div", "search-result-url", r.url.replace(/index\.html(#|$)/, "$1")));
    return li;
  }

  function keepInAddress(q) {
    var p = new URLSearchParams();
    if (q) p.set("q", q);
    if (state.kind) p.set("kind", state.kind);
    var s = p.toString();
    try { window.history.replaceState(null, "", s ? "?" + s : window.location.pathname); } catch (e) { /* file:// may refuse */ }
  }

  function run(index, append) {
    var q = input.value.trim();
    var seq = ++state.seq;
    if (!append) state.shown = 0;
    keepInAddress(q);
    if (!q) {
      list.textContent = "";
      status.textContent = "请输入要查找的词语。";
      suggestBox.hidden = true;
      more.hidden = true;
      ui.query = "";
      ui.results = [];
      ui.total = 0;
      return Promise.resolve();
    }
    status.textContent = "正在搜索…";
    return index.search(q, { limit: PAGE, offset: state.shown, kind: state.kind }).then(function (r) {
      if (seq !== state.seq) return;
      if (!append) list.textContent = "";
      r.results.forEach(function (x) { list.appendChild(renderResult(x)); });
      state.shown += r.results.length;
      ui.results = append ? ui.results.concat(r.results) : r.results;
      ui.total = r.total;
      ui.query = q;
      ui.kind = state.kind;
      ui.searched = r.searched;
      ui.advice = r.advice;
      ui.suggestions = r.suggestions;
      status.textContent = statusLine(q, r);
      showSuggestions(r);
      more.hidden = r.complete ? state.shown >= r.total : r.results.length < PAGE;
    }).catch(function (e) {
      ui.error = String(e);
      status.textContent = "搜索索引加载失败，请刷新页面重试。";
    });
  }

  // What the list is, in words: exact or partial matches, pinyin read, corrected (suggest.rs).
  function statusLine(q, r) {
    // Without every tier loaded the count is a lower bound (the list itself is exact).
    var count = (r.complete ? r.total + " 个" : r.total + " 个以上") + "结果" + (state.kind ? "（" + state.kind + "）" : "");
    if (r.advice === "pinyin") return r.total ? "按拼音“" + q + "”查找“" + r.searched + "”：找到 " + count + "。" : "按拼音“" + q + "”查找“" + r.searched + "”，没有找到结果。";
    if (r.advice === "corrected") return "没有找到包含“" + q + "”的内容。以下是“" + r.searched + "”的结果：找到 " + count + "。";
    if (!r.total) return "没有找到与“" + q + "”相关的内容。请换用其他词语，或减少词语。";
    if (!r.exact) return "找到 " + count + "，但没有页面完整包含“" + q + "”，以下结果只包含其中部分字词。";
    var single = Array.from(q).length === 1 || /^[0-9]$/.test(q);
    return "找到 " + count + "，完整包含搜索词的排在前面。" + (single ? "单个字或数字会出现在很多页面中，输入完整的词语结果更准确。" : "");
  }

  function showSuggestions(r) {
    suggestBox.textContent = "";
    var others = (r.suggestions || []).filter(function (w) { return w !== r.searched; });
    if (!others.length) { suggestBox.hidden = true; return; }
    suggestBox.appendChild(document.createTextNode(r.advice === "didyoumean" ? "您是不是要找：" : "其他可能的词语："));
    others.forEach(function (w, i) {
      if (i) suggestBox.appendChild(document.createTextNode("、"));
      var a = el("a", "", w);
      a.href = "?q=" + encodeURIComponent(w);
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        input.value = w;
        if (ui.index) run(ui.index, false);
      });
      suggestBox.appendChild(a);
    });
    suggestBox.hidden = false;
  }

  function renderKinds(index) {
    var kinds = [""].concat(index.meta.kinds);
    kinds.forEach(function (k) {
      var b = el("button", "", k || "全部");
      b.type = "button";
      b.setAttribute("data-kind", k);
      b.setAttribute("aria-pressed", String(k === state.kind));
      b.addEventListener("click", function () {
        state.kind = k;
        kindsBox.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
        run(index, false);
      });
      kindsBox.appendChild(b);
    });
    kindsBox.hidden = false;
  }

  input.value = params.get("q") || "";
  window.PortalSearch.open(base).then(function (index) {
    renderKinds(index);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(index, false); }, DEBOUNCE_MS);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run(index, false);
    });
    more.addEventListener("click", function () { run(index, true); });
    ui.index = index;
    ui.run = function (q, kind) {
      input.value = q;
      if (kind !== undefined) state.kind = kind;
      return run(index, false).then(function () { return ui.results; });
    };
    return run(index, false);
  }).then(function () {
    ui.ready = true;
  }, function (e) {
    ui.error = String(e);
    status.textContent = "搜索索引加载失败，请刷新页面重试。";
  });
})();
