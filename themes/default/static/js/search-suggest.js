// policy-portal search suggestions: src/search/suggest.rs written again for the browser — pinyin
// read as the site's words and corrections of IME slips, over search/words.js. Loaded by
// search-core.js only when no page holds a query as typed, so other queries never pay for it.
// Every function mirrors the Rust function of the same name; tests check both suggest alike.
// Plain script, no dependencies but text-core.js and search-core.js (loaded first).
(function (global) {
  "use strict";
  var T = global.PortalText, fold = T.fold, readNumbers = global.PortalSearch.readNumbers;

  var MAX_SUGGESTIONS = 5;

  // search/words.js -> {words: [[code points], pages]}, readings: Map(char -> [syllables])}.
  function Suggester(data) {
    var counts = readNumbers(data.n);
    this.words = data.w ? data.w.split("|").map(function (w, i) { return [Array.from(w), counts[i]]; }) : [];
    var readings = this.readings = new Map();
    (data.p ? data.p.split("|") : []).forEach(function (g) {
      var m = /^[a-z]+/.exec(g), r = m ? m[0] : "";
      Array.from(g.slice(r.length)).forEach(function (c) {
        if (!readings.has(c)) readings.set(c, []);
        readings.get(c).push(r);
      });
    });
  }

  function latinKey(query) {
    var key = "";
    for (var c of fold(query)) {
      if (c === " " || c === "'" || c === "\u2019" || c === "\t") continue;
      key += c === "\u00fc" ? "v" : c;
    }
    return key.length >= 2 && /^[a-z]+$/.test(key) ? key : null;
  }

  function cmpChars(a, b) {
    for (var i = 0; i < a.length && i < b.length; i++) {
      var x = a[i].codePointAt(0), y = b[i].codePointAt(0);
      if (x !== y) return x - y;
    }
    return a.length - b.length;
  }

  // found: Map(joined -> [chars, kind, pages]) -> best MAX_SUGGESTIONS words.
  function best(found) {
    var list = Array.from(found.values());
    list.sort(function (a, b) { return b[1] - a[1] || b[2] - a[2] || a[0].length - b[0].length || cmpChars(a[0], b[0]); });
    return list.slice(0, MAX_SUGGESTIONS).map(function (x) { return x[0].join(""); });
  }

  function collect(found, here, n) {
    here.forEach(function (v, k) {
      var e = found.get(k);
      if (!e) found.set(k, e = [v[0], v[1], 0]);
      e[1] = Math.max(e[1], v[1]);
      e[2] += n;
    });
  }

  function addHere(here, cand, kind) {
    var k = cand.join(""), e = here.get(k);
    if (!e) here.set(k, [cand, kind]); else e[1] = Math.max(e[1], kind);
  }

  // suggest.rs syllable_ends: where runs of whole syllables from w[at] spelling key from len end.
  function syllableEnds(key, syl, at, len, out) {
    if (at >= syl.length) return;
    syl[at].forEach(function (s) {
      var end = len + s.length;
      if (key.length < end || key.substr(len, s.length) !== s) return;
      if (end === key.length) { if (out.indexOf(at) < 0) out.push(at); }
      else syllableEnds(key, syl, at + 1, end, out);
    });
  }

  function shareReading(a, b) { return a.some(function (r) { return b.indexOf(r) >= 0; }); }

  Suggester.prototype.pinyin = function (query) {
    var key = latinKey(query), self = this, found = new Map();
    if (!key) return [];
    this.words.forEach(function (wn) {
      var w = wn[0], syl = w.map(function (c) { return self.readings.get(c) || []; });
      var here = new Map();
      for (var i = 0; i < w.length; i++) {
        var ends = [];
        syllableEnds(key, syl, i, 0, ends);
        ends.forEach(function (j) { if (j > i) addHere(here, w.slice(i, j + 1), 2); });
        var k = key.length;
        if (i + k <= w.length) {
          var all = true;
          for (var q = 0; q < k && all; q++) {
            var ch = key.charAt(q);
            all = syl[i + q].some(function (s) { return s.charAt(0) === ch; });
          }
          if (all) addHere(here, w.slice(i, i + k), 1);
        }
      }
      collect(found, here, wn[1]);
    });
    return best(found);
  };

  // suggest.rs doubled: q is s with one character typed twice.
  function doubled(q, s) {
    if (q.length !== s.length + 1) return false;
    for (var i = 0; i < s.length; i++) {
      if (q[i] !== q[i + 1]) continue;
      if (q.slice(0, i + 1).join("") === s.slice(0, i + 1).join("") && q.slice(i + 2).join("") === s.slice(i + 1).join("")) return true;
    }
    return false;
  }

  function oneEdit(a, b) {
    var la = a.length, lb = b.length, i;
    if (la === lb) {
      var diff = [];
      for (i = 0; i < la; i++) if (a[i] !== b[i]) diff.push(i);
      return diff.length === 1 || (diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]);
    }
    var short = la < lb ? a : b, long = la < lb ? b : a;
    if (long.length !== short.length + 1) return false;
    for (i = 0; i < short.length && short[i] === long[i]; i++);
    for (var k = i; k < short.length; k++) if (short[k] !== long[k + 1]) return false;
    return true;
  }

  // suggest.rs cjk_runs.
  function cjkRuns(text) {
    var out = [], cur = [];
    for (var c of fold(text) + " ") {
      if (T.isCjk(c)) { cur.push(c); continue; }
      if (cur.length >= 2) out.push(cur);
      cur = [];
    }
    return out;
  }

  // suggest.rs corrections_in: the word list and the CJK runs of `texts` (each a word on one page).
  Suggester.prototype.corrections = function (query, texts) {
    var q = Array.from(fold(query.trim())), self = this, found = new Map();
    if (q.length < 2 || q.length > 16 || !q.every(T.isCjk)) return [];
    var qr = q.map(function (c) { return self.readings.get(c) || []; });
    var extra = [];
    (texts || []).forEach(function (t) { cjkRuns(t).forEach(function (r) { extra.push([r, 1]); }); });
    this.words.concat(extra).forEach(function (wn) {
      var w = wn[0], here = new Map();
      [q.length, q.length - 1, q.length + 1].forEach(function (len) {
        if (len < 2 || len > w.length) return;
        for (var i = 0; i + len <= w.length; i++) {
          var s = w.slice(i, i + len);
          if (s.join("") === q.join("")) continue;
          var homophone = len === q.length && s.every(function (c, x) {
            var cr = self.readings.get(c);
            return !!cr && shareReading(cr, qr[x]);
          });
          if (homophone) addHere(here, s, 3);
          else if (q.length > 2 && oneEdit(s, q)) addHere(here, s, len === q.length || doubled(q, s) ? 2 : 1);
        }
      });
      collect(found, here, wn[1]);
    });
    return best(found);
  };

  // suggest.rs suggest: {advice: "none" | "pinyin" | "corrected" | "didyoumean", words}.
  function suggest(sg, query, exact, total, texts) {
    if (exact) return { advice: "none", words: [] };
    var words = sg.pinyin(query);
    if (words.length) return { advice: "pinyin", words: words };
    words = sg.corrections(query, texts);
    if (!words.length) return { advice: "none", words: words };
    return { advice: total === 0 ? "corrected" : "didyoumean", words: words };
  }


  var TEXT_HITS = 10, suggester = null;

  // mod.rs answer, after the query as typed ranked `r` with no page holding it: reads it as pinyin
  // or corrects it (from the word list and the texts of its first TEXT_HITS results) and ranks the
  // first candidate instead where suggest says so. Resolves to {r, advice, words, searched}.
  function advise(index, text, r, want, keep) {
    var words = suggester ? Promise.resolve(suggester) : index.load("words", "words.js").then(function (d) {
      return suggester = suggester || new Suggester(d);
    });
    var first = r.ranked.slice(0, TEXT_HITS);
    return Promise.all([words, Promise.all(first.map(function (x) { return index.doc(x.doc); }))]).then(function (got) {
      var trad = got[1].some(function (d) { return d.tr; });
      return (trad ? index.loadT2s() : Promise.resolve()).then(function () { return got; });
    }).then(function (got) {
      var texts = [];
      got[1].forEach(function (d) {
        texts.push(d.t);
        d.s.forEach(function (x) { texts.push(x[1]); texts.push(x[2]); });
      });
      var s = suggest(got[0], text, false, r.total, texts);
      if (s.advice !== "pinyin" && s.advice !== "corrected") return { r: r, advice: s.advice, words: s.words, searched: text };
      return index.rank(s.words[0], want, keep).then(function (r2) {
        return { r: r2, advice: s.advice, words: s.words, searched: s.words[0] };
      });
    });
  }

  global.PortalSearch.register("suggest", { Suggester: Suggester, suggest: suggest, advise: advise });
})(typeof window !== "undefined" ? window : globalThis);
