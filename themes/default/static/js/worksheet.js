// policy-portal risk-matrix worksheet: factors under each dimension, ratings, degrees, the 5×5 heat
// maps, the overall level before and after mitigation, the suggested decision and its rule, an
// override with a reason, autosave (localStorage), JSON export/import, CSV export and the printable
// 风险因素识别与评估表. Scales, cells, rules and their words come from #worksheet-config (made by the
// Rust model), UI strings from #worksheet-strings (the theme); the computation is risk-model.js.
// Classic script, no dependencies, no inline handlers, works from file://.
(function () {
  "use strict";
  const root = document.getElementById("worksheet");
  const configEl = document.getElementById("worksheet-config");
  const M = window.PortalRiskModel;
  if (!root || !configEl || !M) return;
  const config = JSON.parse(configEl.textContent);
  const T = JSON.parse(document.getElementById("worksheet-strings").textContent);
  const storageKey = root.getAttribute("data-storage-key");
  const FORMAT = "policy-portal-worksheet";
  const MATTER = ["title", "unit", "assessor", "reviewer", "date"];
  const RATINGS = ["likelihood", "consequence", "likelihood_after", "consequence_after"];
  const TEXTS = ["name", "measures", "owner", "weight"];
  let state = loadState() || emptyState();
  let last = null; // {rows, ev}
  let savedAt = "";

  // ------------------------------------------------------------------ helpers

  function fmt(s, vars) {
    return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }

  // h("p", {class: "x"}, "text", child…): builds elements; text is always a text node.
  function h(tag, attrs) {
    const el = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach((c) => append(el, c));
    else el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  function announce(text) {
    const s = document.getElementById("ws-status");
    s.textContent = "";
    window.setTimeout(() => { s.textContent = text; }, 30);
  }

  function toneClass(x) {
    return "tone-" + ((x && x.tone) || "none");
  }

  // ------------------------------------------------------------------ state

  function emptyState() {
    return {
      format: FORMAT,
      version: 1,
      matter: { title: "", unit: "", assessor: "", reviewer: "", date: "" },
      method: config.method,
      factors: [],
      override: { enabled: false, decision: config.decisions[0], reason: "" },
      nextId: 1
    };
  }

  function rating(v) {
    const n = Number(v);
    return v !== null && v !== "" && Number.isInteger(n) && n >= 1 && n <= 5 ? n : null;
  }

  function text(v) {
    return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
  }

  // Checks and normalises a saved or imported worksheet; throws with a reason in words.
  function normalise(data) {
    if (!data || data.format !== FORMAT || !Array.isArray(data.factors)) throw new Error(T.notWorksheet);
    const s = emptyState();
    MATTER.forEach((k) => { s.matter[k] = text(data.matter && data.matter[k]); });
    if (config.methods.some((m) => m.name === data.method)) s.method = data.method;
    const names = config.dimensions.map((d) => d.name);
    // Saved worksheets keep their factor ids (element ids in the page); imports get new ones.
    const seen = {};
    const keep = data.factors.every((f) => typeof f.id === "string" && /^f\d+$/.test(f.id) && !seen[f.id] && (seen[f.id] = true));
    s.nextId = keep ? Math.max(Number(data.nextId) || 1, ...data.factors.map((f) => Number(f.id.slice(1)) + 1)) : 1;
    s.factors = data.factors.map((f, i) => {
      if (names.indexOf(f.dimension) < 0) throw new Error(fmt(T.numbered, { n: i + 1 }) + "：" + T.dimension + "“" + text(f.dimension) + "”");
      const out = { id: keep ? f.id : "f" + s.nextId++, dimension: f.dimension };
      TEXTS.forEach((k) => { out[k] = text(f[k === "name" ? (f.name !== undefined ? "name" : "factor") : k]); });
      RATINGS.forEach((k) => { out[k] = rating(f[k]); });
      return out;
    });
    const o = data.override || {};
    s.override = { enabled: !!o.enabled, decision: config.decisions.indexOf(o.decision) >= 0 ? o.decision : config.decisions[0], reason: text(o.reason) };
    return s;
  }

  function loadState() {
    try {
      const raw = window.localStorage.getItem(storageKey);
      return raw ? normalise(JSON.parse(raw)) : null;
    } catch (e) {
      return null;
    }
  }

  function save() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(state));
      savedAt = new Date().toLocaleTimeString();
    } catch (e) { /* storage may be disabled or full */ }
  }

  // Factors in display order: by dimension (the configuration's order), then as entered.
  function ordered() {
    const out = [];
    config.dimensions.forEach((d) => state.factors.forEach((f) => { if (f.dimension === d.name) out.push(f); }));
    return out;
  }

  function findFactor(id) {
    return state.factors.find((f) => f.id === id);
  }

  function parseWeight(s) {
    const t = text(s).trim();
    if (t === "") return { value: null, valid: true };
    const n = Number(t);
    const ok = /^(\d+(\.\d*)?|\.\d+)$/.test(t) && n >= 0 && n <= 1;
    return { value: ok ? n : null, valid: ok };
  }

  // The rows the model sees: named factors with both ratings, in display order.
  function modelRows() {
    return ordered().map((f, i) => {
      const w = parseWeight(f.weight);
      // A rating left at “不变” after mitigation keeps its value from before.
      const reRated = f.likelihood_after !== null || f.consequence_after !== null;
      const complete = f.name.trim() !== "" && f.likelihood !== null && f.consequence !== null;
      return {
        f: f,
        no: i + 1,
        complete: complete,
        weightValid: w.valid,
        input: complete
          ? { dimension: f.dimension, name: f.name.trim(), likelihood: f.likelihood, consequence: f.consequence, weight: w.value, after: reRated ? [f.likelihood_after || f.likelihood, f.consequence_after || f.consequence] : null }
          : null
      };
    });
  }

  // ------------------------------------------------------------------ factor cards

  function ratingGroup(f, key, scale, legend, allowUnchanged) {
    const name = f.id + "-" + key;
    const options = scale.levels.map((l) => {
      const id = name + "-" + l.score;
      return h("label", { class: "ws-seg", for: id, title: l.description || null },
        h("input", { type: "radio", id: id, name: name, value: l.score, "data-id": f.id, "data-field": key, checked: f[key] === l.score }),
        h("span", { class: "ws-seg-score", text: String(l.score) }),
        h("span", { class: "ws-seg-label", text: l.label }));
    });
    if (allowUnchanged) {
      const id = name + "-none";
      options.unshift(h("label", { class: "ws-seg ws-seg-none", for: id },
        h("input", { type: "radio", id: id, name: name, value: "", "data-id": f.id, "data-field": key, checked: f[key] === null }),
        h("span", { class: "ws-seg-label", text: T.unchanged })));
    }
    return h("fieldset", { class: "ws-rate" }, h("legend", { text: legend }), h("div", { class: "ws-segs" }, options));
  }

  function field(f, key, label, control) {
    const id = f.id + "-" + key;
    control.id = id;
    control.setAttribute("data-id", f.id);
    control.setAttribute("data-field", key);
    return h("div", { class: "ws-field ws-field-" + key }, h("label", { for: id, text: label }), control);
  }

  function dimensionSelect(f) {
    const sel = h("select", {}, config.dimensions.map((d) => h("option", { value: d.name, text: d.name, selected: d.name === f.dimension })));
    return field(f, "dimension", T.dimension, sel);
  }

  function factorCard(f) {
    const nameInput = h("input", { type: "text", autocomplete: "off", placeholder: T.factorPlaceholder });
    nameInput.value = f.name;
    const measures = h("textarea", { rows: 2 });
    measures.value = f.measures;
    const owner = h("input", { type: "text", autocomplete: "off" });
    owner.value = f.owner;
    const weight = h("input", { type: "text", inputmode: "decimal", autocomplete: "off", "aria-describedby": f.id + "-weight-hint" });
    weight.value = f.weight;
    const tools = h("div", { class: "ws-tools" },
      h("button", { type: "button", "data-action": "up", "data-id": f.id, class: "ws-up", text: T.up }),
      h("button", { type: "button", "data-action": "down", "data-id": f.id, class: "ws-down", text: T.down }),
      h("button", { type: "button", "data-action": "remove", "data-id": f.id, class: "ws-remove ws-danger", text: T.remove }));
    return h("li", { class: "ws-factor", id: "card-" + f.id, "data-id": f.id },
      h("div", { class: "ws-factor-head" },
        h("span", { class: "ws-no", "aria-hidden": "true" }),
        field(f, "name", T.factor, nameInput),
        tools),
      h("div", { class: "ws-row" },
        ratingGroup(f, "likelihood", config.likelihood, config.likelihood.name, false),
        ratingGroup(f, "consequence", config.consequence, config.consequence.name, false),
        h("p", { class: "ws-degree", id: f.id + "-degree", "aria-live": "polite" })),
      h("div", { class: "ws-row ws-row-fields" },
        field(f, "measures", T.measures, measures),
        field(f, "owner", T.owner, owner),
        h("div", {}, field(f, "weight", T.weight, weight), h("p", { class: "ws-hint", id: f.id + "-weight-hint", text: T.weightHint })),
        dimensionSelect(f)),
      h("div", { class: "ws-row ws-after" },
        h("p", { class: "ws-after-title", text: T.after }),
        ratingGroup(f, "likelihood_after", config.likelihood, T.afterShort + config.likelihood.name, true),
        ratingGroup(f, "consequence_after", config.consequence, T.afterShort + config.consequence.name, true),
        h("p", { class: "ws-degree", id: f.id + "-degree-after", "aria-live": "polite" })));
  }

  function renderDimensions(focusId) {
    const host = document.getElementById("ws-dimensions");
    clear(host);
    config.dimensions.forEach((d, di) => {
      const factors = ordered().filter((f) => f.dimension === d.name);
      const list = h("ol", { class: "ws-list", "aria-labelledby": "ws-dim-" + di }, factors.map(factorCard));
      host.appendChild(h("section", { class: "ws-dim", "data-dimension": d.name },
        h("h3", { id: "ws-dim-" + di, text: d.name }),
        d.description ? h("p", { class: "ws-help", text: d.description }) : null,
        factors.length ? list : h("p", { class: "ws-empty", text: T.noFactors }),
        h("button", { type: "button", class: "ws-add", "data-action": "add", "data-dimension": d.name, text: T.add + "（" + d.name + "）" })));
    });
    update();
    if (focusId) {
      const el = document.getElementById(focusId);
      if (el) el.focus();
    }
  }

  // ------------------------------------------------------------------ results

  function levelWords(i) {
    return config.levels[i].display;
  }

  function tag(x, words) {
    return h("span", { class: "ws-tag " + toneClass(x), text: words });
  }

  function degreeText(r, after) {
    const d = config.degrees[after ? r.degree_after : r.degree];
    return [h("span", { class: "ws-score", text: T.score + " " + (after ? r.score_after : r.score) }), " ", tag(d, d.name)];
  }

  function updateCards(rows, ev) {
    let k = 0;
    rows.forEach((row) => {
      const card = document.getElementById("card-" + row.f.id);
      if (!card) return;
      card.querySelector(".ws-no").textContent = row.no;
      card.querySelector(".ws-remove").setAttribute("aria-label", T.remove + fmt(T.numbered, { n: row.no }));
      card.querySelector(".ws-up").setAttribute("aria-label", T.up + fmt(T.numbered, { n: row.no }));
      card.querySelector(".ws-down").setAttribute("aria-label", T.down + fmt(T.numbered, { n: row.no }));
      card.querySelector('[data-field="name"]').setAttribute("aria-label", fmt(T.numbered, { n: row.no }) + T.factor);
      const w = card.querySelector('[data-field="weight"]');
      w.setAttribute("aria-invalid", row.weightValid ? "false" : "true");
      const before = document.getElementById(row.f.id + "-degree");
      const after = document.getElementById(row.f.id + "-degree-after");
      clear(before);
      clear(after);
      if (row.complete) {
        const r = ev.factors[k++];
        append(before, [T.beforeShort + "：", degreeText(r, false)]);
        append(after, [T.afterShort + "：", degreeText(r, true)]);
      } else {
        const why = row.f.name.trim() === "" ? T.needName : T.needRating;
        append(before, h("span", { class: "ws-missing", text: T.notCounted + "：" + why }));
      }
    });
  }

  function overallText(ev, stage) {
    const o = ev.overall;
    if (!o) return { word: T.unavailable, tone: null, rule: weightProblem(ev) };
    const out = o[stage];
    const rated = ev.factors;
    return {
      word: levelWords(out.level),
      tone: config.levels[out.level],
      rule: config.rules[ev.method][out.level] + "（" + M.observed(config, rated, stage, out) + "）"
    };
  }

  function weightProblem(ev) {
    const p = ev.weighted && !ev.weighted.ok ? ev.weighted.problem : null;
    if (!p) return "";
    if (p.kind === "missing") return fmt(T.weightMissing, { n: last.rows.filter((r) => r.complete)[p.factor].no });
    return fmt(T.weightSum, { sum: M.round3(p.sum) });
  }

  function updateLevels(rows, ev) {
    const counted = rows.filter((r) => r.complete).length;
    document.getElementById("ws-counted").textContent = counted
      ? fmt(T.counted, { n: counted }) + (rows.length > counted ? fmt(T.countedSkipped, { n: rows.length - counted }) : "")
      : T.noneRated;
    ["before", "after"].forEach((stage) => {
      const card = document.getElementById("ws-level-" + stage);
      const word = card.querySelector(".ws-level-word");
      const rule = card.querySelector(".ws-level-rule");
      clear(word);
      if (!counted) {
        word.textContent = "—";
        rule.textContent = T.noneRated;
        return;
      }
      const t = overallText(ev, stage);
      append(word, tag(t.tone, t.word));
      rule.textContent = T.rule + "：" + t.rule;
    });
  }

  function updateCompare(rows, ev) {
    const body = document.querySelector("#ws-compare tbody");
    clear(body);
    const counted = rows.some((r) => r.complete);
    config.methods.forEach((m) => {
      const r = m.name === "counting" ? ev.counting : ev.weighted && ev.weighted.ok ? ev.weighted : null;
      const label = m.label + (m.name === ev.method ? "（" + T.adopted + "）" : "");
      const cells = !counted
        ? ["—", "—", T.noneRated]
        : r
          ? [tag(config.levels[r.before.level], levelWords(r.before.level)), tag(config.levels[r.after.level], levelWords(r.after.level)),
            T.beforeShort + "：" + M.observed(config, ev.factors, "before", r.before) + "；" + T.afterShort + "：" + M.observed(config, ev.factors, "after", r.after)]
          : [T.unavailable, T.unavailable, weightProblem(ev)];
      body.appendChild(h("tr", {}, h("th", { scope: "row", text: label }), cells.map((c) => h("td", {}, c))));
    });
    const differ = document.getElementById("ws-methods-differ");
    const why = counted ? methodsDiffer(ev) : "";
    differ.textContent = why;
    differ.hidden = !why;
    updateWeightsNote(rows, ev);
  }

  // When the two methods give different levels: which, why, and which one the decision follows.
  function methodsDiffer(ev) {
    const c = ev.counting, w = ev.weighted && ev.weighted.ok ? ev.weighted : null;
    if (!c || !w || (c.before.level === w.before.level && c.after.level === w.after.level)) return "";
    const label = (name) => (config.methods.find((m) => m.name === name) || {}).label || name;
    const levels = (r) => levelWords(r.before.level) + "→" + levelWords(r.after.level);
    return fmt(T.methodsDiffer, {
      counting: label("counting") + " " + levels(c),
      weighted: label("weighted") + " " + levels(w),
      adopted: label(ev.method)
    });
  }

  function updateWeightsNote(rows, ev) {
    const note = document.getElementById("ws-weights");
    if (!config.weighted) {
      note.hidden = true;
      return;
    }
    const given = rows.filter((r) => r.complete && r.input.weight !== null);
    let s;
    if (ev.weights.ok && given.length) s = fmt(T.weightTotal, { sum: M.round3(given.reduce((a, r) => a + r.input.weight, 0)) });
    else if (ev.weights.ok) {
      const byDim = config.dimensions.every((d) => d.weight !== null && d.weight !== undefined);
      s = fmt(T.weightAuto, { how: byDim ? T.weightAutoDimension : T.weightAutoEqual });
    } else s = weightProblem(ev);
    note.textContent = s;
  }

  function updateDecision(rows, ev) {
    const box = document.getElementById("ws-decision");
    const word = box.querySelector(".ws-decision-word");
    const rule = box.querySelector(".ws-decision-rule");
    clear(word);
    const counted = rows.some((r) => r.complete);
    if (!counted || !ev.decision) {
      word.textContent = counted ? T.unavailable : T.decisionNone;
      rule.textContent = counted ? weightProblem(ev) : "";
    } else {
      append(word, h("strong", { text: ev.decision.word }));
      if (state.override.enabled) append(word, h("span", { class: "ws-overridden", text: fmt(T.overridden, { decision: state.override.decision }) }));
      rule.textContent = T.rule + "：" + config.decision_rules[ev.overall.before.level][ev.overall.after.level];
    }
    const o = state.override;
    const on = document.getElementById("ws-override-on");
    const sel = document.getElementById("ws-override-decision");
    const reason = document.getElementById("ws-override-reason");
    on.checked = o.enabled;
    sel.disabled = reason.disabled = !o.enabled;
    sel.value = o.decision;
    if (document.activeElement !== reason) reason.value = o.reason;
    const err = document.getElementById("ws-override-error");
    const missing = o.enabled && o.reason.trim() === "";
    err.hidden = !missing;
    err.textContent = missing ? T.overrideNeedReason : "";
    reason.setAttribute("aria-invalid", missing ? "true" : "false");
  }

  function matrix(rows, ev, stage) {
    const at = {};
    let k = 0;
    rows.forEach((row) => {
      if (!row.complete) return;
      const i = row.input;
      const lc = stage === "after" ? M.afterRatings(i) : [i.likelihood, i.consequence];
      const key = lc[0] + "-" + lc[1];
      (at[key] = at[key] || []).push(row.no);
      k++;
    });
    const head = h("tr", {}, h("th", { scope: "col", class: "ws-corner", text: config.likelihood.name + " ＼ " + config.consequence.name }),
      config.consequence.levels.map((c) => h("th", { scope: "col" }, c.score + " ", h("span", { class: "ws-axis", text: c.label }))));
    const body = config.likelihood.levels.slice().reverse().map((l) => h("tr", {},
      h("th", { scope: "row" }, l.score + " ", h("span", { class: "ws-axis", text: l.label })),
      config.consequence.levels.map((c) => {
        const d = config.degrees[M.cell(config, l.score, c.score)];
        const nos = at[l.score + "-" + c.score] || [];
        const label = fmt(T.cell, { l: l.score, c: c.score, degree: d.name }) + (nos.length ? fmt(T.cellFactors, { list: nos.join("、") }) : T.cellEmpty);
        return h("td", { class: "ws-cell " + toneClass(d) + (nos.length ? " ws-hit" : ""), title: label },
          h("span", { class: "ws-cell-degree", text: d.name }),
          h("span", { class: "ws-cell-nos", text: nos.join("、") }));
      })));
    return h("table", { class: "ws-matrix" }, h("thead", {}, head), h("tbody", {}, body));
  }

  function updateMaps(rows, ev) {
    ["before", "after"].forEach((stage) => {
      const host = document.getElementById("ws-map-" + stage);
      clear(host);
      host.appendChild(matrix(rows, ev, stage));
    });
  }

  // ------------------------------------------------------------------ the printable form (form 17)

  function scaleWords(scale, v) {
    if (v === null || v === undefined) return "";
    const l = scale.levels[v - 1];
    return v + " " + l.label;
  }

  function printForm(rows, ev) {
    const host = document.getElementById("ws-print-form");
    clear(host);
    const weighted = ev.method === "weighted";
    const heads = [T.no, T.factor, T.dimension, config.likelihood.name, config.consequence.name, T.score, T.measures,
      T.afterShort + config.likelihood.name, T.afterShort + config.consequence.name, T.afterShort + T.score, T.owner].concat(weighted ? [T.weight] : []);
    let k = 0;
    const body = rows.map((row) => {
      const f = row.f;
      const r = row.complete ? ev.factors[k++] : null;
      const after = row.complete ? M.afterRatings(row.input) : [null, null];
      const cells = [String(row.no), f.name || T.unnamed, f.dimension, scaleWords(config.likelihood, f.likelihood), scaleWords(config.consequence, f.consequence),
        r ? r.score + " " + config.degrees[r.degree].name : T.notCounted, f.measures,
        scaleWords(config.likelihood, after[0]), scaleWords(config.consequence, after[1]),
        r ? r.score_after + " " + config.degrees[r.degree_after].name : "", f.owner].concat(weighted ? [f.weight] : []);
      return h("tr", {}, cells.map((c) => h("td", { text: c })));
    });
    const before = rows.some((x) => x.complete) ? overallText(ev, "before") : { word: "—", rule: T.noneRated };
    const after = rows.some((x) => x.complete) ? overallText(ev, "after") : { word: "—", rule: "" };
    const methodLabel = (config.methods.find((m) => m.name === ev.method) || {}).label || "";
    const m = state.matter;
    // An empty worksheet decides nothing: no 建议决定 until a factor is rated.
    const decided = rows.some((x) => x.complete) && ev.decision;
    const summary = [
      h("p", {}, h("strong", { text: T.before + "：" + before.word }), "　" + before.rule),
      h("p", {}, h("strong", { text: T.afterLevel + "：" + after.word }), "　" + after.rule),
      h("p", {}, h("strong", { text: T.suggested + "：" + (decided ? ev.decision.word : "—") }),
        decided ? "　" + config.decision_rules[ev.overall.before.level][ev.overall.after.level] : "　" + T.decisionNone)
    ];
    const why = decided ? methodsDiffer(ev) : "";
    if (why) summary.push(h("p", { text: why }));
    if (state.override.enabled) {
      summary.push(h("p", {}, h("strong", { text: T.override + "：" + state.override.decision }), "　" + T.overrideReason + "：" + state.override.reason));
    }
    host.appendChild(h("div", { class: "ws-form" },
      h("h2", { class: "ws-form-title", text: T.printTitle }),
      h("p", { class: "ws-form-meta" },
        h("span", { text: T.matterTitle + "：" + m.title }),
        h("span", { text: T.unit + "：" + m.unit }),
        h("span", { text: T.method + "：" + methodLabel })),
      h("table", { class: "ws-form-table" },
        h("thead", {}, h("tr", {}, heads.map((x) => h("th", { scope: "col", text: x })))),
        h("tbody", {}, body)),
      h("div", { class: "ws-form-summary" }, summary),
      h("p", { class: "ws-form-sign" },
        h("span", { text: T.assessor + "：" + m.assessor }),
        h("span", { text: T.reviewer + "：" + m.reviewer }),
        h("span", { text: m.date ? T.date + "：" + m.date : T.dateLine }))));
  }

  // ------------------------------------------------------------------ update

  function update() {
    const rows = modelRows();
    const ev = M.evaluate(config, rows.filter((r) => r.complete).map((r) => r.input), state.method);
    last = { rows: rows, ev: ev };
    updateCards(rows, ev);
    updateLevels(rows, ev);
    updateCompare(rows, ev);
    updateDecision(rows, ev);
    updateMaps(rows, ev);
    printForm(rows, ev);
    document.getElementById("ws-saved-note").setAttribute("data-saved", savedAt);
  }

  function changed() {
    save();
    update();
  }

  // ------------------------------------------------------------------ export / import

  // The result in the shape `portal risk --json` prints.
  function result() {
    const ev = last.ev;
    const rows = last.rows.filter((r) => r.complete);
    return {
      factors: rows.map((r, i) => ({
        factor: r.input.name,
        score: ev.factors[i].score,
        degree: config.degrees[ev.factors[i].degree].name,
        score_after: ev.factors[i].score_after,
        degree_after: config.degrees[ev.factors[i].degree_after].name
      })),
      overall: {
        method: ev.method,
        before: ev.overall ? config.levels[ev.overall.before.level].name : null,
        after: ev.overall ? config.levels[ev.overall.after.level].name : null
      },
      decision: ev.decision ? ev.decision.word : null
    };
  }

  function exportJson() {
    const data = {
      format: FORMAT,
      version: 1,
      page: root.getAttribute("data-page"),
      matter: state.matter,
      method: state.method,
      factors: ordered().map((f) => ({
        dimension: f.dimension, name: f.name, likelihood: f.likelihood, consequence: f.consequence, weight: f.weight,
        likelihood_after: f.likelihood_after, consequence_after: f.consequence_after, measures: f.measures, owner: f.owner
      })),
      override: state.override,
      result: result()
    };
    return JSON.stringify(data, null, 2) + "\n";
  }

  // A spreadsheet never runs a cell that starts with = + - @ (or tab/CR): it gets a leading '.
  function csvCell(v) {
    let s = text(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function exportCsv() {
    const head = ["dimension", "factor", "likelihood", "consequence", "weight", "likelihood_after", "consequence_after", "measures", "owner", "score", "degree", "score_after", "degree_after"];
    const ev = last.ev;
    const rows = last.rows.filter((r) => r.complete).map((r, i) => {
      const f = r.f;
      const q = ev.factors[i];
      const w = r.input.weight;
      const after = r.input.after || ["", ""];
      return [f.dimension, r.input.name, f.likelihood, f.consequence, w === null ? "" : w, after[0], after[1], f.measures, f.owner,
        q.score, config.degrees[q.degree].name, q.score_after, config.degrees[q.degree_after].name];
    });
    return "\uFEFF" + [head].concat(rows).map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
  }

  function fileName(ext) {
    const t = state.matter.title.trim().replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 40);
    return T.printTitle + (t ? "-" + t : "") + "." + ext;
  }

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type: type }));
    const a = h("a", { href: url, download: name, class: "visually-hidden" });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function importJson(textContent) {
    try {
      state = normalise(JSON.parse(textContent));
    } catch (e) {
      announce(fmt(T.importFailed, { reason: e instanceof SyntaxError ? T.notWorksheet : e.message }));
      return false;
    }
    save();
    syncControls();
    renderDimensions();
    announce(fmt(T.imported, { n: state.factors.length }));
    return true;
  }

  // ------------------------------------------------------------------ events

  function syncControls() {
    MATTER.forEach((k) => { root.querySelector('[data-matter="' + k + '"]').value = state.matter[k]; });
    root.querySelectorAll('input[name="ws-method"]').forEach((r) => { r.checked = r.value === state.method; });
  }

  function onField(t) {
    const f = findFactor(t.getAttribute("data-id"));
    const key = t.getAttribute("data-field");
    if (!f) return;
    if (RATINGS.indexOf(key) >= 0) f[key] = rating(t.value);
    else if (key === "dimension") {
      f.dimension = t.value;
      save();
      renderDimensions(t.id);
      return;
    } else f[key] = t.value;
    changed();
  }

  function onInput(ev) {
    const t = ev.target;
    if (t.hasAttribute("data-matter")) {
      state.matter[t.getAttribute("data-matter")] = t.value;
      changed();
    } else if (t.hasAttribute("data-field")) {
      if (ev.type === "change" && t.type !== "radio" && t.tagName !== "SELECT") return;
      onField(t);
    } else if (t.name === "ws-method") {
      state.method = t.value;
      changed();
    } else if (t.id === "ws-override-on") {
      state.override.enabled = t.checked;
      changed();
    } else if (t.id === "ws-override-decision") {
      state.override.decision = t.value;
      changed();
    } else if (t.id === "ws-override-reason") {
      state.override.reason = t.value;
      changed();
    } else if (t.id === "ws-import" && ev.type === "change" && t.files && t.files[0]) {
      const reader = new FileReader();
      reader.onload = () => { importJson(String(reader.result)); t.value = ""; };
      reader.readAsText(t.files[0], "utf-8");
    }
  }

  function move(f, dir) {
    const same = state.factors.filter((g) => g.dimension === f.dimension);
    const i = same.indexOf(f);
    const other = same[i + dir];
    if (!other) return false;
    const a = state.factors.indexOf(f);
    const b = state.factors.indexOf(other);
    state.factors[a] = other;
    state.factors[b] = f;
    return true;
  }

  function onAction(btn) {
    const action = btn.getAttribute("data-action");
    if (action === "add") {
      const f = { id: "f" + state.nextId++, dimension: btn.getAttribute("data-dimension"), name: "", likelihood: null, consequence: null, likelihood_after: null, consequence_after: null, weight: "", measures: "", owner: "" };
      state.factors.push(f);
      save();
      renderDimensions(f.id + "-name");
      announce(fmt(T.added, { dimension: f.dimension }));
      return;
    }
    const f = findFactor(btn.getAttribute("data-id"));
    if (!f) return;
    if (action === "remove") {
      state.factors.splice(state.factors.indexOf(f), 1);
      save();
      renderDimensions();
      const add = root.querySelector('.ws-add[data-dimension="' + CSS.escape(f.dimension) + '"]');
      if (add) add.focus();
      announce(fmt(T.removed, { name: f.name || T.unnamed }));
    } else if (move(f, action === "up" ? -1 : 1)) {
      save();
      renderDimensions();
      const again = document.querySelector("#card-" + f.id + " .ws-" + action);
      if (again) again.focus();
      announce(fmt(T.moved, { n: ordered().indexOf(f) + 1 }));
    }
  }

  function onClick(ev) {
    const btn = ev.target.closest("button");
    if (!btn || !root.contains(btn)) return;
    if (btn.hasAttribute("data-action")) onAction(btn);
    else if (btn.id === "ws-export-json") {
      download(fileName("json"), "application/json", exportJson());
      announce(T.exportedJson);
    } else if (btn.id === "ws-export-csv") {
      const n = last.rows.filter((r) => r.complete).length;
      const skipped = last.rows.length - n;
      download(fileName("csv"), "text/csv;charset=utf-8", exportCsv());
      announce(fmt(T.exportedCsv, { n: n, skipped: skipped ? fmt(T.skippedCsv, { n: skipped }) : "" }));
    } else if (btn.id === "ws-print") window.print();
    else if (btn.id === "ws-clear") {
      document.getElementById("ws-clear-confirm").hidden = false;
      document.getElementById("ws-clear-no").focus();
    } else if (btn.id === "ws-clear-no") {
      document.getElementById("ws-clear-confirm").hidden = true;
      document.getElementById("ws-clear").focus();
    } else if (btn.id === "ws-clear-yes") {
      state = emptyState();
      try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
      document.getElementById("ws-clear-confirm").hidden = true;
      syncControls();
      renderDimensions();
      document.getElementById("ws-clear").focus();
      announce(T.cleared);
    }
  }

  root.addEventListener("input", onInput);
  root.addEventListener("change", onInput);
  root.addEventListener("click", onClick);
  root.hidden = false;
  syncControls();
  renderDimensions();

  // For tests and for staff who script their own checks: the same functions the buttons use.
  window.PortalWorksheet = {
    config: config,
    state: () => JSON.parse(JSON.stringify(state)),
    evaluation: () => last.ev,
    result: result,
    exportJson: exportJson,
    exportCsv: exportCsv,
    importJson: importJson
  };
})();
