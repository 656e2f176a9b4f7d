// policy-portal scope pages: the catalogue filter, the lookup page (answers as you type, reads
// ?q= on load) and any form[data-scope-box] elsewhere (a plain GET form to the lookup page that,
// with this script, also answers in place; data-scope-data / data-scope-root name the data script
// and the site root when the catalogue is not at scope/index.html). The matching itself is scope-core.js; the catalogue
// data is scope-data.js, a classic script, so everything works from file:// and offline.
(function () {
  "use strict";

  var script = document.currentScript;
  var jsDir = script && script.src ? script.src.replace(/[^/]*$/, "") : "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function fold(s) {
    var out = "";
    var f = window.PortalScope && window.PortalScope.foldChar;
    for (var c of s) out += f ? f(c) : c.toLowerCase();
    return out;
  }

  // ------------------------------------------------------------ catalogue filter
  function initFilter(box) {
    var input = box.querySelector("input");
    var status = box.querySelector("[role=status]");
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-scope-item]"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-scope-group]"));
    var empty = document.querySelector("[data-scope-empty]");
    var texts = items.map(function (it) { return fold(it.getAttribute("data-text") || ""); });
    box.hidden = false;
    function apply() {
      var terms = fold(input.value).split(/[\s,，、]+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (it, i) {
        var ok = terms.every(function (t) { return texts[i].indexOf(t) >= 0; });
        it.hidden = !ok;
        if (ok) shown++;
      });
      groups.forEach(function (g) {
        g.hidden = !g.querySelector("[data-scope-item]:not([hidden])");
      });
      if (empty) empty.hidden = shown > 0;
      status.textContent = terms.length ? "筛选出 " + shown + " 项（共 " + items.length + " 项）" : "共 " + items.length + " 项";
    }
    input.addEventListener("input", apply);
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash && document.getElementById(hash)) document.getElementById(hash).classList.add("scope-target");
  }

  // ------------------------------------------------------------ answers
  var VERDICT = {
    in_scope: { label: "应当评估", icon: "✔", cls: "verdict-in",
      text: "该事项属于评估事项指导目录所列事项，应当在决策、出台或者审批前开展社会稳定风险评估。" },
    borderline: { label: "可能需要评估", icon: "？", cls: "verdict-maybe",
      text: "该事项与目录事项相关，是否属于重大事项取决于涉及的人数、范围和群众反映。请对照下列事项判断；难以判断的，商县委政法委（维稳办）确定。" },
    out_of_scope: { label: "未匹配到评估事项", icon: "—", cls: "verdict-out",
      text: "没有找到对应的目录事项。如果事项事关群众切身利益、牵涉面广、容易引发不稳定问题，仍应当评估。" }
  };

  // The guided check: the catalogue's yes/no questions, answered with radio buttons (keyboard:
  // Tab between questions, arrow keys between 是 and 否); the answer follows each choice.
  var checkCount = 0;
  function guidedCheck(matcher, answer) {
    var c = matcher.check, n = ++checkCount;
    var box = el("fieldset", "scope-check");
    box.appendChild(el("legend", null, answer.verdict === "borderline" ? "拿不准？回答几个问题自查" : "目录里没有找到：回答几个问题自查"));
    var result = el("p", "scope-check-result");
    result.setAttribute("role", "status");
    result.setAttribute("aria-live", "polite");
    var answers = {};
    var m = new window.PortalScope.Matcher(matcher);
    c.questions.forEach(function (q, i) {
      var row = el("div", "scope-check-q");
      var name = "scope-check-" + n + "-" + q[0];
      row.setAttribute("role", "radiogroup");
      var label = el("p", "scope-check-ask", (i + 1) + ". " + q[1]);
      label.id = name + "-label";
      row.setAttribute("aria-labelledby", label.id);
      row.appendChild(label);
      [["是", true], ["否", false]].forEach(function (opt) {
        var l = el("label", "scope-check-opt");
        var input = el("input");
        input.type = "radio";
        input.name = name;
        input.value = opt[0];
        input.setAttribute("data-check", q[0]);
        input.addEventListener("change", function () {
          answers[q[0]] = opt[1];
          var r = m.decide(answers);
          result.textContent = r ? "自查结果：" + window.PortalScope.checkLabel(r[0]) + "——" + r[1].text + (r[1].basis ? "（实施办法" + r[1].basis + "）" : "") : "请回答全部 " + c.questions.length + " 个问题。";
          result.className = "scope-check-result" + (r ? " scope-check-" + r[0] : "");
        });
        l.appendChild(input);
        l.appendChild(document.createTextNode(opt[0]));
        row.appendChild(l);
      });
      box.appendChild(row);
    });
    result.textContent = "请回答全部 " + c.questions.length + " 个问题。";
    box.appendChild(result);
    return box;
  }

  // Text with the given words marked (<mark>), built from text nodes only.
  function marked(text, words) {
    var chars = Array.from(text), folded = chars.map(function (c) { return fold(c); });
    var on = new Array(chars.length).fill(false);
    words.forEach(function (w) {
      var needle = Array.from(w);
      for (var i = 0; i + needle.length <= folded.length; i++) {
        var ok = true;
        for (var k = 0; k < needle.length && ok; k++) if (folded[i + k] !== needle[k]) ok = false;
        if (ok) for (var k2 = 0; k2 < needle.length; k2++) on[i + k2] = true;
      }
    });
    var frag = document.createDocumentFragment(), i2 = 0;
    while (i2 < chars.length) {
      var j = i2;
      while (j < chars.length && on[j] === on[i2]) j++;
      var piece = chars.slice(i2, j).join("");
      frag.appendChild(on[i2] ? el("mark", null, piece) : document.createTextNode(piece));
      i2 = j;
    }
    return frag;
  }

  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  // One short sentence for screen readers (the answer itself is not a live region: it would be
  // read out in full at every keystroke).
  function summary(answer) {
    var v = VERDICT[answer.verdict], named = answer.matches.filter(function (m) { return m.tier > 0; });
    var label = answer.label || v.label;
    if (answer.verdict === "out_of_scope") return label + "。";
    return label + "，匹配 " + named.length + " 项目录事项，第一项：" + (named[0] || answer.matches[0]).title + "。";
  }

  function render(target, answer, data, root, compact, lookupHref) {
    var d = data.display, v = VERDICT[answer.verdict];
    var label = answer.label || v.label;
    target.textContent = "";
    target.hidden = false;
    var head = el("div", "scope-verdict " + v.cls);
    var p = el("p", "scope-verdict-label");
    p.appendChild(el("span", "scope-verdict-icon", v.icon)).setAttribute("aria-hidden", "true");
    p.appendChild(document.createTextNode(label));
    head.appendChild(p);
    var q = el("p", "scope-query");
    q.appendChild(document.createTextNode("事项："));
    var words = [];
    answer.matches.slice(0, 3).forEach(function (m) { if (m.tier > 0) words = words.concat(m.matched); });
    answer.cues.forEach(function (c) { words.push(c[1]); });
    answer.figures.forEach(function (f) { if (f.large || f.limit !== null) words.push(f.text); });
    words = words.concat(answer.scaleWords);
    q.appendChild(marked(answer.query, words));
    head.appendChild(q);
    var vtext = answer.verdict === "out_of_scope" && answer.cues.length
      ? "该事项属于一般不列入评估范围的事项（见下）。如果规模较大、群众反映强烈，仍应当评估。"
      : v.text;
    if (!compact) head.appendChild(el("p", "scope-verdict-text", vtext));
    target.appendChild(head);

    if (!compact && answer.rule) {
      var why = el("p", "scope-rule");
      why.appendChild(el("strong", null, "依据："));
      why.appendChild(document.createTextNode(answer.rule.text + (answer.rule.basis ? "（实施办法" + answer.rule.basis + "）" : "")));
      target.appendChild(why);
    }
    if (answer.reasons.length && !compact) {
      var ul = el("ul", "scope-reasons");
      answer.reasons.forEach(function (r) { ul.appendChild(el("li", null, r)); });
      target.appendChild(ul);
    }
    if (!compact && window.PortalScope.needsCheck(answer) && data.matcher.check) {
      target.appendChild(guidedCheck(data.matcher, answer));
    }

    // When items match by their words, items that only share characters are noise: leave them out.
    var list = answer.matches;
    if (list.length && list[0].tier > 0) list = list.filter(function (m) { return m.tier > 0; });
    if (compact) list = list.slice(0, 3);
    if (list.length) {
      var nearest = answer.verdict === "out_of_scope";
      target.appendChild(el(compact ? "p" : "h2", "scope-list-title", nearest ? "相近的目录事项（仅供参考）" : "匹配的目录事项"));
      var ol = el("ol", "scope-matches");
      list.forEach(function (m) {
        var info = d.items[m.index], li = el("li", "scope-match");
        var h = el(compact ? "p" : "h3", "scope-match-title");
        h.appendChild(el("span", "scope-cat", m.category));
        var a = link(root + d.catalogue + "#" + m.id, "");
        a.appendChild(marked(m.title, m.tier > 0 ? m.matched : []));
        h.appendChild(a);
        li.appendChild(h);
        if (!compact) {
          var dl = el("dl", "scope-facts");
          var add = function (dt, node) {
            dl.appendChild(el("dt", null, dt));
            var dd = el("dd");
            dd.appendChild(node);
            dl.appendChild(dd);
          };
          if (m.matched.length) {
            var mw = el("span", "scope-words");
            m.matched.forEach(function (w, i) {
              if (i) mw.appendChild(document.createTextNode("、"));
              mw.appendChild(el("mark", null, w));
            });
            add(m.tier > 0 ? "匹配词" : "相同字词", mw);
          }
          if (info.departments.length) add("责任部门", document.createTextNode(info.departments.join("、")));
          if (info.basis) add("依据", link(root + info.basis.href, info.basis.label));
          if (info.note) add("说明", document.createTextNode(info.note));
          li.appendChild(dl);
        }
        ol.appendChild(li);
      });
      target.appendChild(ol);
    }

    if (compact) {
      var more = el("p", "scope-more");
      more.appendChild(link(lookupHref, "查看完整结果和下一步工作"));
      target.appendChild(more);
      return;
    }
    if (answer.verdict !== "out_of_scope") {
      target.appendChild(el("h2", "scope-list-title", "下一步怎么做"));
      var steps = el("ol", "scope-steps");
      if (answer.verdict === "borderline") {
        steps.appendChild(el("li", null, "先确定是否评估：对照上列事项和下面的自查问题；仍难以判断的，由责任主体商县委政法委（维稳办）确定（实施办法第九条）。确定需要评估的，再按下列步骤办理。"));
      } else if (answer.kind === "简易") {
        steps.appendChild(el("li", null, "规模在简易评估的限度内，可以适用简易评估（实施办法第三十条）；评估中发现中风险以上或者群众反映强烈的，转为普通评估。"));
      }
      if (d.procedure) {
        var s1 = el("li");
        s1.appendChild(document.createTextNode("按照"));
        s1.appendChild(link(root + d.procedure.href, d.procedure.title));
        s1.appendChild(document.createTextNode("，由责任主体确定评估事项、成立评估小组、制定评估方案，在决策前完成评估。"));
        steps.appendChild(s1);
      }
      if (d.forms.length) {
        var s2 = el("li");
        s2.appendChild(document.createTextNode("填写前几个环节的表格："));
        d.forms.forEach(function (f, i) {
          if (i) s2.appendChild(document.createTextNode("、"));
          s2.appendChild(link(root + f.href, f.title));
        });
        s2.appendChild(document.createTextNode("。"));
        steps.appendChild(s2);
      }
      steps.appendChild(el("li", null, "将事项列入本单位年度稳评计划；年度中新增的，在启动评估前补报县委政法委（维稳办）。"));
      target.appendChild(steps);
    }
    if (answer.verdict !== "in_scope" && d.contact) {
      target.appendChild(el("h2", "scope-list-title", "仍然拿不准？"));
      target.appendChild(el("p", "scope-contact", d.contact));
    }
  }

  // ------------------------------------------------------------ the lookup page
  function initLookup(form, target) {
    var input = form.querySelector("input[name=q]");
    var status = document.getElementById("scope-status");
    var root = target.getAttribute("data-root") || "";
    window.PortalScope.onReady(function (data) {
      var matcher = new window.PortalScope.Matcher(data.matcher);
      function answer(push) {
        var q = input.value.trim();
        if (!q) {
          target.hidden = true;
          target.textContent = "";
          if (status) status.textContent = "";
          return;
        }
        var a = matcher.lookup(q);
        render(target, a, data, root, false);
        if (status) status.textContent = summary(a);
        if (push) {
          try {
            history.replaceState(null, "", "?q=" + encodeURIComponent(q));
          } catch (e) { /* file:// in some browsers */ }
        }
      }
      input.addEventListener("input", function () { answer(false); });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        answer(true);
      });
      var q = new URLSearchParams(location.search).get("q");
      if (q) {
        input.value = q;
        answer(false);
      }
      form.setAttribute("data-ready", "");
    });
  }

  // ------------------------------------------------------------ boxes on other pages
  function load(src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = done;
    document.head.appendChild(s);
  }

  function initBox(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var action = form.getAttribute("action") || "";
    var lookupDir = new URL(action, location.href).href.replace(/[^/]*([?#].*)?$/, "");
    // Defaults for the catalogue at scope/index.html; a form may name both (data-scope-data, data-scope-root).
    var attr = function (n, dflt) {
      var v = form.getAttribute(n);
      return v === null ? dflt : new URL(v, location.href).href;
    };
    var dataSrc = attr("data-scope-data", lookupDir + "../scope-data.js");
    var root = attr("data-scope-root", new URL(lookupDir + "../../").href);
    var out = el("div", "scope-box-answer");
    out.setAttribute("role", "region");
    out.setAttribute("aria-label", "即时查询结果");
    out.hidden = true;
    var status = el("p", "visually-hidden");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.parentNode.insertBefore(out, form.nextSibling);
    form.parentNode.insertBefore(status, out);
    var started = false, matcher = null, data = null;
    function update() {
      var q = input.value.trim();
      if (!q || !matcher) {
        out.hidden = true;
        status.textContent = "";
        return;
      }
      var rel = new URL(action, location.href);
      rel.search = "?q=" + encodeURIComponent(q);
      var a = matcher.lookup(q);
      render(out, a, data, root, true, rel.href);
      status.textContent = summary(a);
    }
    function start() {
      if (started) return;
      started = true;
      // The answer's styles, on pages that do not load them (the home page), only once asked.
      if (!document.querySelector("link[href$='css/scope.css']")) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = jsDir + "../css/scope.css";
        document.head.appendChild(css);
      }
      var go = function () {
        window.PortalScope.onReady(function (d) {
          data = d;
          matcher = new window.PortalScope.Matcher(d.matcher);
          update();
        });
      };
      // scope-core.js needs text-core.js (the shared fold) loaded before it.
      var matcherCore = function () { load(jsDir + "scope-core.js", go); };
      var core = function () {
        if (window.PortalScope && window.PortalScope.Matcher) go();
        else if (window.PortalText) matcherCore();
        else load(jsDir + "text-core.js", matcherCore);
      };
      load(dataSrc, core);
    }
    input.addEventListener("focus", start);
    input.addEventListener("input", function () {
      start();
      update();
    });
  }

  function init() {
    var filter = document.querySelector("[data-scope-filter]");
    if (filter) initFilter(filter);
    var form = document.getElementById("scope-form"), target = document.getElementById("scope-answer");
    if (form && target && window.PortalScope) initLookup(form, target);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-scope-box]"), initBox);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
