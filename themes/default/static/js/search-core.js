// policy-portal search core: query parsing, ranking and snippets of src/search/ (the tokenizer is
// text-core.js, loaded first), written again for the browser. Every function mirrors the Rust function of the same name
// (text.rs, query.rs, rank.rs, snippet.rs, export.rs); tests check that both give the same
// tokens and the same ranked lists. Ranking repeats tantivy's f32 arithmetic with Math.fround.
// Index files are classic scripts calling PortalSearch.register(name, data), so loading works from
// file:// too. Plain script, no dependencies; exposes window.PortalSearch.
(function (global) {
  "use strict";
  var f = Math.fround;

  // ------------------------------------------------------------------ text rules (text.rs, text-core.js)
  var T = global.PortalText;
  var fold = T.fold, units = T.units, tokenize = T.tokenize, queryTokens = T.queryTokens;

  // ------------------------------------------------------------------ queries (query.rs)
  var MAX_VARIANTS = 8;

  function foldGroups(groups) {
    return (groups || []).map(function (g) {
      return g.map(function (w) { return fold(w.trim()); }).filter(function (w) { return w.length > 0; });
    });
  }

  function synonymVariants(groups, text) {
    var out = [];
    groups.forEach(function (group) {
      group.forEach(function (word) {
        if (!text.includes(word)) return;
        group.forEach(function (other) {
          if (other === word) return;
          var v = text.split(word).join(other);
          if (v !== text && out.indexOf(v) < 0 && out.length < MAX_VARIANTS) out.push(v);
        });
      });
    });
    return out;
  }

  function variant(text, synonym) {
    var tokens = queryTokens(text);
    if (!tokens.length) return null;
    var first = tokens[0].position;
    return { text: text, synonym: synonym, terms: tokens.map(function (t) { return { text: t.text, rel: t.position - first }; }) };
  }

  // groups: already folded synonym groups (as in meta.js).
  function parseQuery(text, groups) {
    var seen = [], clauses = [];
    fold(text).split(/[ \t\n\r]/).forEach(function (part) {
      if (!part || seen.indexOf(part) >= 0) return;
      seen.push(part);
      var original = variant(part, false);
      if (!original) return;
      var variants = [original];
      synonymVariants(groups || [], part).forEach(function (v) {
        var x = variant(v, true);
        if (x) variants.push(x);
      });
      clauses.push({ variants: variants });
    });
    return { clauses: clauses };
  }

  function queryTerms(q) {
    var out = [];
    q.clauses.forEach(function (c) {
      c.variants.forEach(function (v) {
        v.terms.forEach(function (t) { if (out.indexOf(t.text) < 0) out.push(t.text); });
      });
    });
    return out;
  }

  // ------------------------------------------------------------------ ranking (rank.rs)
  var K1 = f(1.2), B = f(0.75);

  function idf(df, n) {
    var x = f(f(f(n - Math.min(df, n)) + f(0.5)) / f(f(df) + f(0.5)));
    return f(Math.log(f(f(1) + x)));
  }

  function normCache(avg, table) {
    var cache = new Array(256);
    for (var id = 0; id < 256; id++) cache[id] = f(K1 * f(f(f(1) - B) + f(f(B * f(table[id])) / avg)));
    return cache;
  }

  // rank.rs LITERAL_POINTS, TITLE_POINTS, SYNONYM_POINTS, CURRENT, STANDINGS.
  var LITERAL_POINTS = 2, TITLE_POINTS = 1, SYNONYM_POINTS = 1, CURRENT = 2, STANDINGS = 3;

  // A clause variant's match points in doc (rank.rs score_doc): 3 as typed in the title, 2 as typed
  // in another field, 1 through a synonym, else 0.
  function variantPoints(v, terms, doc) {
    if (!isPhrase(v, terms, doc, 3)) return 0;
    if (v.synonym) return SYNONYM_POINTS;
    return isPhrase(v, terms, doc, 1) ? LITERAL_POINTS + TITLE_POINTS : LITERAL_POINTS;
  }

  function scoreDoc(q, terms, caches, doc, standing, bound, synWeight) {
    var bm25 = f(0), exact = 0;
    q.clauses.forEach(function (clause) {
      var best = f(0), points = 0;
      clause.variants.forEach(function (v) {
        var s = f(0), seen = [];
        v.terms.forEach(function (t) {
          if (seen.indexOf(t.text) >= 0) return;
          seen.push(t.text);
          var fields = terms[t.text];
          if (!fields) return;
          fields.forEach(function (ft, fi) {
            var p = ft.byDoc.get(doc);
            if (p) {
              var tf = f(p.tf);
              s = f(s + f(ft.weight * f(tf / f(tf + caches[fi][p.fid]))));
            }
          });
        });
        if (v.synonym) s = f(s * f(synWeight));
        if (s > best) best = s;
        var worth = v.synonym ? SYNONYM_POINTS : LITERAL_POINTS + TITLE_POINTS;
        if (worth > points) points = Math.max(points, variantPoints(v, terms, doc));
      });
      bm25 = f(bm25 + best);
      exact += points;
    });
    return { doc: doc, exact: exact, standing: standing, bm25: bm25, score: (exact * STANDINGS + standing) * bound + bm25 };
  }

  // rank.rs: match points, then standing, then BM25, then site order.
  function keyOrder(a, b) {
    return b.exact - a.exact || b.standing - a.standing || b.bm25 - a.bm25 || a.doc - b.doc;
  }

  // Single CJK characters carry no positions (rank.rs, tokenizer.rs is_single_cjk): present is enough.
  function isSingleCjk(term) {
    var cs = Array.from(term);
    return cs.length === 1 && T.isCjk(cs[0]);
  }

  // Whether v's terms stand at their relative positions in one of the first `fields` fields.
  function isPhrase(v, terms, doc, fields) {
    function get(text, fi) { var fs = terms[text]; return fs ? fs[fi].byDoc.get(doc) : undefined; }
    var loose = v.terms.filter(function (t) { return isSingleCjk(t.text); });
    var placed = v.terms.filter(function (t) { return !isSingleCjk(t.text); });
    for (var fi = 0; fi < fields; fi++) {
      if (!loose.every(function (t) { return !!get(t.text, fi); })) continue;
      if (!placed.length) return true;
      var anchor = placed[0], first = get(anchor.text, fi);
      if (!first) continue;
      if (placed.length === 1) return true;
      for (var k = 0; k < first.positions.length; k++) {
        var p = first.positions[k], all = true;
        for (var j = 1; j < placed.length && all; j++) {
          var x = get(placed[j].text, fi);
          all = !!x && sortedHas(x.positions, p + placed[j].rel - anchor.rel);
        }
        if (all) return true;
      }
    }
    return false;
  }

  function sortedHas(a, v) {
    var lo = 0, hi = a.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (a[mid] === v) return true;
      if (a[mid] < v) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  function scoreBound(q, terms, synWeight) {
    var total = f(0);
    q.clauses.forEach(function (clause) {
      var best = f(0);
      clause.variants.forEach(function (v) {
        var s = f(0), seen = [];
        v.terms.forEach(function (t) {
          if (seen.indexOf(t.text) >= 0) return;
          seen.push(t.text);
          (terms[t.text] || []).forEach(function (ft) { if (ft.df > 0) s = f(s + ft.weight); });
        });
        if (v.synonym) s = f(s * f(synWeight));
        if (s > best) best = s;
      });
      total = f(total + best);
    });
    return f(total + f(1));
  }

  // ------------------------------------------------------------------ snippets (snippet.rs)
  // Where the `wanted` tokens (a Set: the query's terms) stand in `text`: token -> [[position,
  // start, end]] (the tokens of tokenize(), others skipped).
  function occurrences(text, wanted) {
    var map = new Map(), us = units(text);
    function add(t, position, start, end) {
      if (!wanted.has(t)) return;
      var list = map.get(t);
      if (!list) map.set(t, list = []);
      list.push([position, start, end]);
    }
    for (var i = 0; i < us.length; i++) {
      var u = us[i], n = us[i + 1];
      add(u.text, u.position, u.start, u.end);
      if (n && !n.gapBefore) add(u.text + n.text, u.position, u.start, n.end);
    }
    return map;
  }

  function phraseSpans(v, occ) {
    var first = occ.get(v.terms[0].text), spans = [];
    if (!first) return spans;
    first.forEach(function (o0) {
      var end = o0[2], ok = true;
      for (var j = 1; j < v.terms.length && ok; j++) {
        var t = v.terms[j], list = occ.get(t.text), hit = null;
        if (list) for (var k = 0; k < list.length; k++) if (list[k][0] === o0[0] + t.rel) { hit = list[k]; break; }
        if (hit) end = Math.max(end, hit[2]); else ok = false;
      }
      if (ok) spans.push([o0[1], end]);
    });
    return spans;
  }

  function longestChain(v, occ) {
    function at(i, p) {
      var o = occ.get(v.terms[i].text);
      return !!o && o.some(function (x) { return x[0] === p; });
    }
    var best = 0;
    for (var i = 0; i < v.terms.length; i++) {
      (occ.get(v.terms[i].text) || []).forEach(function (o) {
        var j = i + 1;
        while (j < v.terms.length && at(j, o[0] + v.terms[j].rel - v.terms[i].rel)) j++;
        best = Math.max(best, j - i);
      });
    }
    return best;
  }

  function sectionKey(q, terms, title, occ) {
    function exactIn(o) {
      return q.clauses.filter(function (c) {
        return c.variants.some(function (v) { return phraseSpans(v, o).length > 0; });
      }).length;
    }
    var chain = 0;
    q.clauses.forEach(function (c) { c.variants.forEach(function (v) { chain = Math.max(chain, longestChain(v, occ)); }); });
    var found = terms.filter(function (t) { return occ.has(t); }).length;
    return [exactIn(occ), exactIn(occurrences(title, new Set(terms))), chain, found];
  }

  function keyAbove(a, b) {
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return false;
  }

  // doc: {t: title, s: [[anchor, title, text], ...]}; opts: {context, window}
  function snippet(q, doc, opts) {
    var terms = queryTerms(q), wanted = new Set(terms), best = null;
    doc.s.forEach(function (s, i) {
      var occ = occurrences(s[2], wanted);
      var key = sectionKey(q, terms, s[1], occ);
      if (!best || keyAbove(key, best.key)) best = { i: i, key: key, found: key[3], occ: occ };
    });
    if (!best) return { anchor: "", section: doc.t, segments: [] };
    var section = doc.s[best.i], occ = best.occ;
    var anchor = best.found === 0 ? "" : section[0];
    var exactStart = null;
    q.clauses.forEach(function (c) {
      c.variants.forEach(function (v) {
        phraseSpans(v, occ).forEach(function (sp) { if (exactStart === null || sp[0] < exactStart) exactStart = sp[0]; });
      });
    });
    var marks = [], firstHit = null;
    terms.forEach(function (t) {
      (occ.get(t) || []).forEach(function (o) {
        marks.push([o[1], o[2]]);
        if (firstHit === null || o[1] < firstHit) firstHit = o[1];
      });
    });
    var hit = exactStart !== null ? exactStart : firstHit !== null ? firstHit : 0;
    return { anchor: anchor, section: section[1], segments: cut(section[2], hit, marks, opts) };
  }

  function cut(text, hit, marks, opts) {
    var chars = Array.from(text);
    var start = Math.max(0, hit - opts.context);
    var end = Math.min(chars.length, start + opts.window);
    function marked(i) {
      return marks.some(function (m) { return m[0] <= i && i < m[1] && m[0] >= start && m[1] <= end; });
    }
    var segs = [];
    if (start > 0) segs.push(["…", false]);
    for (var i = start; i < end; i++) {
      var m = marked(i), last = segs[segs.length - 1];
      if (last && last[1] === m) last[0] += chars[i]; else segs.push([chars[i], m]);
    }
    if (end < chars.length) {
      var l = segs[segs.length - 1];
      if (l && !l[1]) l[0] += "…"; else segs.push(["…", false]);
    }
    segs.forEach(function (s) { s[0] = s[0].replace(/\s+/gu, " "); });
    return segs;
  }

  // ------------------------------------------------------------------ index files (export.rs)
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var a = 0; a < 64; a++) DIGIT[ALPHABET.charAt(a)] = a;

  function readNumbers(s) {
    var out = [], n = 0;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s.charAt(i)];
      if (d < 32) n = n * 32 + d;
      else { out.push(n * 32 + d - 32); n = 0; }
    }
    return out;
  }

  function termHash(term) {
    var bytes = new TextEncoder().encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h >>> 0;
  }

  // A tier's postings string -> its postings (each {doc, fid, tf, positions, field}) in the
  // order its positions string lists them.
  function decodeTier(s) {
    var nums = readNumbers(s), out = [], doc = 0, i = 0;
    while (i < nums.length) {
      doc += nums[i++];
      var mask = nums[i++];
      for (var fi = 0; fi < 3; fi++) {
        if (!(mask & (1 << fi))) continue;
        out.push({ doc: doc, fid: nums[i++], tf: nums[i++], positions: [], field: fi });
      }
    }
    return out;
  }

  function decodePositions(list, s) {
    var nums = readNumbers(s), i = 0;
    list.forEach(function (x) {
      var last = 0;
      x.positions = [];
      for (var k = 0; k < x.tf; k++) { last += nums[i++]; x.positions.push(last); }
    });
  }


  // ------------------------------------------------------------------ loading
  var registry = {}, waiting = {};
  var loaded = [];

  function register(name, data) {
    registry[name] = data;
    (waiting[name] || []).forEach(function (w) { w[0](data); });
    delete waiting[name];
  }

  // Loads `base + path` as a script that registers `name`, once.
  function load(base, name, path) {
    if (Object.prototype.hasOwnProperty.call(registry, name)) return Promise.resolve(registry[name]);
    return new Promise(function (resolve, reject) {
      var first = !waiting[name];
      (waiting[name] = waiting[name] || []).push([resolve, reject]);
      if (!first) return;
      var s = document.createElement("script");
      s.src = base + path;
      s.async = true;
      s.onerror = function () {
        (waiting[name] || []).forEach(function (w) { w[1](new Error("cannot load " + path)); });
        delete waiting[name];
      };
      loaded.push(path);
      document.head.appendChild(s);
    });
  }

  // An index in folder `base` (ending in "/"): open(base).then(ix => ix.search(text, opts)).
  function open(base) {
    return load(base, "meta", "meta.js").then(function (meta) {
      if (meta.version !== 4) throw new Error("unknown search index version " + meta.version);
      return new Index(base, meta);
    });
  }

  function Index(base, meta) {
    this.base = base;
    this.meta = meta;
    this.groups = foldGroups(meta.synonyms);
    this.cache = {};
  }

  // A term's entry ([docs, df x3, tier…] in `t`, [tier…] in `x`), or null.
  Index.prototype.entry = function (prefix, term) {
    var n = termHash(term) % this.meta.shards;
    return load(this.base, prefix + n, prefix + "/" + n + ".js").then(function (shard) {
      return Object.prototype.hasOwnProperty.call(shard, term) ? { shard: n, list: shard[term] } : null;
    });
  };

  // A tier's data string: inline, or "@K" for the file prefix/N-K.js.
  Index.prototype.tierData = function (prefix, shard, data) {
    if (data.charAt(0) !== "@") return Promise.resolve(data);
    var k = data.slice(1);
    return load(this.base, prefix + shard + "-" + k, prefix + "/" + shard + "-" + k + ".js");
  };

  // What the browser knows of a term: its statistics and the tiers loaded so far (see export.rs).
  Index.prototype.term = function (text) {
    var self = this;
    if (self.cache[text]) return self.cache[text];
    var m = self.meta;
    return self.cache[text] = self.entry("t", text).then(function (e) {
      var list = e ? e.list : [0, 0, 0, 0];
      var caches = self.caches || (self.caches = [0, 1, 2].map(function (fi) {
        return normCache(f(f(m.tokens[fi]) / f(Math.max(m.docs, 1))), m.norms);
      }));
      var t = {
        text: text, shard: e ? e.shard : 0, docs: list[0], df: list.slice(1, 4), tiers: list.slice(4),
        loaded: 0, positioned: 0, posTiers: null, byTier: [], caches: caches,
        fields: [new Map(), new Map(), new Map()], floor: Infinity, pending: null
      };
      t.weights = t.df.map(function (df, fi) { return f(f(idf(df, m.docs) * f(f(1) + K1)) * f(m.boosts[fi])); });
      return t;
    });
  };

  // What a term adds to a document's score, summed over the fields as export.rs orders tiers.
  function contribution(t, doc) {
    var c = f(0);
    for (var fi = 0; fi < 3; fi++) {
      var p = t.fields[fi].get(doc);
      if (p) { var tf = f(p.tf); c = f(c + f(t.weights[fi] * f(tf / f(tf + t.caches[fi][p.fid])))); }
    }
    return c;
  }

  // Loads the term's next tier (and its positions when `positions`).
  Index.prototype.more = function (t, positions) {
    var self = this;
    if (t.loaded >= t.tiers.length) return Promise.resolve();
    if (t.pending) return t.pending;
    var k = t.loaded;
    t.pending = self.tierData("t", t.shard, t.tiers[k]).then(function (data) {
      var list = decodeTier(data), docs = [];
      list.forEach(function (p) {
        if (!t.fields[p.field].has(p.doc) && !t.fields[0].has(p.doc) && !t.fields[1].has(p.doc) && !t.fields[2].has(p.doc)) docs.push(p.doc);
        t.fields[p.field].set(p.doc, p);
      });
      docs.forEach(function (d) { var c = contribution(t, d); if (c < t.floor) t.floor = c; });
      t.byTier.push(list);
      t.loaded = k + 1;
      t.pending = null;
    });
    return t.pending.then(function () { return positions ? self.positions(t) : undefined; });
  };

  // Loads the positions of every loaded tier of the term.
  Index.prototype.positions = function (t) {
    var self = this;
    if (t.positioned >= t.loaded) return Promise.resolve();
    var first = t.posTiers ? Promise.resolve(t.posTiers) : self.entry("x", t.text).then(function (e) {
      return t.posTiers = e ? e.list : [];
    });
    return first.then(function (tiers) {
      var ks = [];
      for (var k = t.positioned; k < t.loaded; k++) ks.push(k);
      return Promise.all(ks.map(function (k) {
        return self.tierData("x", t.shard, tiers[k]).then(function (s) { decodePositions(t.byTier[k], s); });
      })).then(function () { t.positioned = Math.max(t.positioned, ks.length ? ks[ks.length - 1] + 1 : 0); });
    });
  };

  function seenIn(t, doc) { return t.fields[0].has(doc) || t.fields[1].has(doc) || t.fields[2].has(doc); }
  function exhausted(t) { return t.loaded >= t.tiers.length; }

  // The best key {exact, bm25} a document could still reach (doc null: one not seen in any term).
  // The bound is rounded up a little so that f32 rounding never makes it too low. `slack` (meta.js,
  // only after `portal serve` changed parts of the index) widens what an unread tier can add, for
  // tiers ordered with slightly older statistics (see update.rs).
  function upperBound(q, st, view, doc, standing, synWeight, slack) {
    var exact = 0, bm25 = 0;
    q.clauses.forEach(function (clause) {
      var best = 0, points = 0;
      clause.variants.forEach(function (v) {
        var s = 0, seen = [], all = true, possible = true;
        v.terms.forEach(function (x) {
          if (seen.indexOf(x.text) >= 0) return;
          seen.push(x.text);
          var t = st[x.text];
          if (doc !== null && seenIn(t, doc)) s += contribution(t, doc);
          else {
            all = false;
            if (exhausted(t)) possible = false; else s += t.floor * slack;
          }
        });
        if (v.synonym) s *= synWeight;
        if (s > best) best = s;
        var worth = v.synonym ? SYNONYM_POINTS : LITERAL_POINTS + TITLE_POINTS;
        if (worth > points) points = Math.max(points, all ? variantPoints(v, view, doc) : possible ? worth : 0);
      });
      bm25 += best;
      exact += points;
    });
    return { exact: exact, standing: standing, bm25: bm25 * (1 + 1e-5) + 1e-6 };
  }

  // The terms' loaded postings in the shape rank.rs scores: text -> [{weight, byDoc, df}] x3.
  function termsView(st) {
    var out = {};
    Object.keys(st).forEach(function (k) {
      var t = st[k];
      out[k] = [0, 1, 2].map(function (fi) { return { weight: t.weights[fi], byDoc: t.fields[fi], df: t.df[fi] }; });
    });
    return out;
  }

  // The documents ranked as rank.rs orders them (exact clauses, then BM25, then site order) over
  // the loaded tiers: {ranked, done, count}. `done` when the first `want` are certain: no document
  // outside them can reach the `want`-th one's key.
  function evaluate(q, st, view, caches, want, keep, synWeight, slack, scored, demoted) {
    function standingOf(d) { var x = demoted[d]; return x === undefined ? CURRENT : x; }
    var names = Object.keys(st);
    var all = names.every(function (k) { return exhausted(st[k]); });
    var candidates = new Set();
    names.forEach(function (k) {
      st[k].fields.forEach(function (m) { m.forEach(function (_, d) { candidates.add(d); }); });
    });
    var bound = scoreBound(q, view, synWeight);
    var complete = [], open = [], count = 0;
    candidates.forEach(function (d) {
      if (keep && !keep(d)) return;
      count++;
      if (names.every(function (k) { return exhausted(st[k]) || seenIn(st[k], d); })) {
        var sc = scored.get(d);
        if (!sc) scored.set(d, sc = scoreDoc(q, view, caches, d, standingOf(d), bound, synWeight));
        complete.push(sc);
      }
      else open.push(d);
    });
    complete.sort(keyOrder);
    if (all) return { ranked: complete, done: true, count: count };
    if (complete.length < want) return { ranked: complete, done: false, count: count };
    var kth = complete[want - 1];
    function below(ub) {
      return kth.exact > ub.exact || (kth.exact === ub.exact && (kth.standing > ub.standing ||
        (kth.standing === ub.standing && kth.bm25 > ub.bm25)));
    }
    var done = below(upperBound(q, st, view, null, CURRENT, synWeight, slack)) &&
      open.every(function (d) { return below(upperBound(q, st, view, d, standingOf(d), synWeight, slack)); });
    return { ranked: complete, done: done, count: count };
  }

  // Ranks the query's documents until the first `want` (that `keep` accepts) are certain:
  // resolves to {query, ranked: [{doc, exact, bm25, score}], total, complete}.
  // Loads search/t2s.js once and installs it in text-core.js.
  Index.prototype.loadT2s = function () {
    if (T.t2sReady()) return Promise.resolve();
    return load(this.base, "t2s", "t2s.js").then(function (d) { T.setT2s(d.k, d.v); });
  };

  // The index holds folded text, so a term holding a Traditional character is found nowhere: when
  // a query term with a CJK character is found nowhere, the table is loaded and the query folded
  // again (queries whose terms are all found never need it: they hold no Traditional character).
  Index.prototype.rank = function (text, want, keep) {
    var self = this;
    if (T.t2sReady()) return self.rankFolded(text, want, keep);
    var names = queryTerms(parseQuery(text, self.groups));
    return Promise.all(names.map(function (n) { return self.term(n); })).then(function (ts) {
      var missing = ts.some(function (t) { return t.docs === 0 && Array.from(t.text).some(T.isCjk); });
      return (missing ? self.loadT2s() : Promise.resolve()).then(function () { return self.rankFolded(text, want, keep); });
    });
  };

  Index.prototype.rankFolded = function (text, want, keep) {
    var self = this, q = parseQuery(text, self.groups), names = queryTerms(q), st = {}, phrase = {};
    q.clauses.forEach(function (c) {
      c.variants.forEach(function (v) {
        if (v.terms.length > 1) v.terms.forEach(function (t) { if (!isSingleCjk(t.text)) phrase[t.text] = true; });
      });
    });
    var synWeight = self.meta.synonymWeight, slack = self.meta.slack || 1;
    // A document complete in one round (every term seen or read to the end) keeps its score.
    var scored = new Map();
    function next(n) { return self.more(st[n], phrase[n]); }
    return Promise.all(names.map(function (n) {
      return self.term(n).then(function (t) { st[n] = t; });
    })).then(function () {
      // Each term's first tier, and positions wherever a phrase needs them.
      return Promise.all(names.map(function (n) {
        return (st[n].loaded === 0 ? next(n) : Promise.resolve()).then(function () {
          return phrase[n] ? self.positions(st[n]) : undefined;
        });
      }));
    }).then(function loop() {
      var view = termsView(st);
      var r = evaluate(q, st, view, self.caches, want, keep, synWeight, slack, scored, self.meta.demoted || {});
      if (!r.done) {
        return Promise.all(names.filter(function (n) { return !exhausted(st[n]); }).map(next)).then(loop);
      }
      var complete = names.every(function (n) { return exhausted(st[n]); });
      var atLeast = keep ? 0 : names.reduce(function (m, n) { return Math.max(m, st[n].docs); }, 0);
      return { query: q, ranked: r.ranked, total: complete ? r.count : Math.max(r.count, atLeast), complete: complete };
    });
  };

  Index.prototype.load = function (name, path) {
    return load(this.base, name, path);
  };

  Index.prototype.kinds = function () {
    return load(this.base, "kinds", "kinds.js");
  };

  Index.prototype.doc = function (id) {
    return load(this.base, "d" + id, "d/" + id + ".js");
  };

  var TEXT_HITS = 10; // suggest.rs TEXT_HITS

  // js/search-suggest.js: loaded only when no page holds a query as typed.
  Index.prototype.advisor = function () {
    return this.load("suggest", "../js/search-suggest.js");
  };

  // Runs a query: resolves to {total, complete, searched, advice, suggestions, exact, results:
  // [{url, title, kind, status, score, section, segments}]}. When no page holds the query as typed it
  // is read as pinyin or corrected as mod.rs answer does: `searched` is the text whose results these are.
  // `total` counts every hit when `complete`; otherwise it is a lower bound (the list is still exact).
  // opts: {limit (default 10), offset (default 0), kind (a label, or "" for all)}.
  Index.prototype.search = function (text, opts) {
    var self = this;
    opts = opts || {};
    var limit = opts.limit === undefined ? 10 : opts.limit, offset = opts.offset || 0;
    var kinds = opts.kind ? self.kinds() : Promise.resolve(null);
    var keep = null, advice = "none", suggestions = [], searched = text, exact = false;
    return kinds.then(function (chars) {
      if (chars) {
        var want = ALPHABET.charAt(self.meta.kinds.indexOf(opts.kind));
        keep = function (d) { return chars.charAt(d) === want; };
      }
      // At least the first TEXT_HITS are certain: corrections read their texts.
      return self.rank(text, Math.max(offset + limit, TEXT_HITS), keep);
    }).then(function (r) {
      exact = r.ranked.length > 0 && r.ranked[0].exact > 0;
      if (exact || !r.query.clauses.length) return r;
      return self.advisor().then(function (a) { return a.advise(self, text, r, offset + limit, keep); }).then(function (x) {
        advice = x.advice;
        suggestions = x.words;
        searched = x.searched;
        return x.r;
      });
    }).then(function (r) {
      var page = r.ranked.slice(offset, offset + limit);
      return Promise.all(page.map(function (x) { return self.doc(x.doc); })).then(function (docs) {
        // Pages written in Traditional characters need the table to find the words in them.
        var trad = docs.some(function (d) { return d.tr; });
        return (trad ? self.loadT2s() : Promise.resolve()).then(function () { return docs; });
      }).then(function (docs) {
        var results = docs.map(function (d, i) {
          var s = snippet(r.query, d, self.meta);
          return {
            url: s.anchor ? d.u + "#" + s.anchor : d.u,
            title: d.t,
            kind: d.k,
            status: d.st || "",
            docNumber: d.no || "",
            score: Math.round(page[i].score * 10000) / 10000,
            section: s.section,
            segments: s.segments
          };
        });
        return {
          total: r.total, complete: r.complete, searched: searched, advice: advice,
          suggestions: suggestions, exact: exact, results: results
        };
      });
    });
  };

  global.PortalSearch = {
    register: register,
    open: open,
    loaded: loaded,
    fold: fold,
    foldChar: T.foldChar,
    units: units,
    tokenize: tokenize,
    queryTokens: queryTokens,
    foldGroups: foldGroups,
    synonymVariants: synonymVariants,
    parseQuery: parseQuery,
    queryTerms: queryTerms,
    snippet: snippet,
    termHash: termHash,
    readNumbers: readNumbers
  };
})(typeof window !== "undefined" ? window : globalThis);
