// policy-portal scope matcher: src/scope/matcher.rs written again for the browser. Every step
// mirrors the Rust function of the same name (lookup, query_pairs, figures, unit_at, cn_number);
// scores are integers, so both sides give the same verdict and the same ranked items, checked by
// tests/scope_parity.rs over the whole development set. The data (terms with their synonym
// variants, cues, scale words, thresholds) comes from scope-data.js, made by the build from the
// catalogue page. Plain script, no dependencies; exposes window.PortalScope.
(function (global) {
  "use strict";

  var STRONG_WEIGHT = 100, RELATED_WEIGHT = 40, PAIR_WEIGHT = 10;

  // text.rs fold_char and char_class, from text-core.js (loaded first).
  var foldChar = global.PortalText.foldChar, isCjk = global.PortalText.isCjk;

  // matcher.rs fold_one: fold_char, then Traditional → Simplified by the table in the data.
  function makeFold(t2s) {
    var map = new Map(), c = chars(t2s || "");
    for (var i = 0; i + 1 < c.length; i += 2) map.set(c[i], c[i + 1]);
    return function (ch) {
      var f = foldChar(ch);
      return map.has(f) ? map.get(f) : f;
    };
  }

  function isDigit(c) {
    return c !== undefined && c >= "0" && c <= "9";
  }

  // matcher.rs find: first position of needle in hay, both arrays of characters.
  function find(hay, needle) {
    var n = needle.length, h = hay.length;
    if (n === 0 || n > h) return -1;
    outer: for (var i = 0; i <= h - n; i++) {
      for (var k = 0; k < n; k++) if (hay[i + k] !== needle[k]) continue outer;
      return i;
    }
    return -1;
  }

  function chars(s) {
    return Array.from(s);
  }

  // matcher.rs NEGATIONS, negated, find_said
  var NEGATIONS = ["没有人", "没人", "不涉及", "未涉及", "没涉及", "不需要", "没有", "无需", "不用", "不", "没", "无", "未", "非"].map(chars);

  function negated(hay, p) {
    return NEGATIONS.some(function (n) {
      if (p < n.length) return false;
      for (var k = 0; k < n.length; k++) if (hay[p - n.length + k] !== n[k]) return false;
      return true;
    });
  }

  function findSaid(hay, needle) {
    var from = 0;
    while (from < hay.length) {
      var p = find(hay.slice(from), needle);
      if (p < 0) return -1;
      p += from;
      if (!negated(hay, p)) return p;
      from = p + 1;
    }
    return -1;
  }

  var CN = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": -10, "百": -100, "千": -1000, "万": -10000 };

  function cnDigit(c) {
    return Object.prototype.hasOwnProperty.call(CN, c) ? CN[c] : null;
  }

  // matcher.rs cn_number
  function cnNumber(s) {
    var total = 0, section = 0, digit = null;
    for (var i = 0; i < s.length; i++) {
      var d = cnDigit(s[i]);
      if (d === null) return null;
      if (d >= 0) {
        if (digit !== null && d !== 0) return null;
        digit = d === 0 ? null : d;
      } else if (d === -10000) {
        section += digit === null ? 0 : digit;
        digit = null;
        if (section === 0) return null;
        total += section * 10000;
        section = 0;
      } else {
        var m = -d;
        // 十五, and a number that starts with 百 or 千 (百把亩).
        if (digit === null && m !== 10 && !(section === 0 && total === 0)) return null;
        section += (digit === null ? 1 : digit) * m;
        digit = null;
      }
    }
    section += digit === null ? 0 : digit;
    var v = total + section;
    return v > 0 ? v : null;
  }

  function Matcher(data) {
    this.d = data;
    this.fold = makeFold(data.t2s);
    this.conceptChars = (data.concepts || []).map(function (words) { return words.map(chars); });
    this.pairSets = data.items.map(function (it) {
      var s = new Set();
      it.pairs.forEach(function (p) { s.add(p); });
      return s;
    });
    this.termChars = data.items.map(function (it) {
      return {
        strong: it.strong.map(function (t) { return t.map(chars); }),
        related: it.related.map(function (t) { return t.map(chars); }),
      };
    });
  }

  // matcher.rs Matcher::query_pairs
  Matcher.prototype.queryPairs = function (q) {
    var blank = new Array(q.length).fill(false);
    this.d.fillers.forEach(function (f) {
      var needle = chars(f), from = 0;
      while (from < q.length) {
        var p = find(q.slice(from), needle);
        if (p < 0) break;
        for (var k = from + p; k < from + p + needle.length; k++) blank[k] = true;
        from += p + needle.length;
      }
    });
    var out = [], seen = new Set();
    for (var i = 0; i + 1 < q.length; i++) {
      if (!blank[i] && !blank[i + 1] && isCjk(q[i]) && isCjk(q[i + 1])) {
        var p = q[i] + q[i + 1];
        if (!seen.has(p)) {
          seen.add(p);
          out.push([i, p]);
        }
      }
    }
    return out;
  };

  // matcher.rs Matcher::unit_at
  var RATES = ["一年", "每年", "每月", "一个月", "一月"];
  Matcher.prototype.unitAt = function (q, at, value, start) {
    var k = at;
    var more = k < q.length && "多余几".indexOf(q[k]) >= 0;
    if (k < q.length && "多余来几把".indexOf(q[k]) >= 0) k++;
    if (start > 0 && q[start - 1] === "每") return null;
    var units = this.d.units;
    for (var i = 0; i < units.length; i++) {
      var u = units[i], uc = chars(u.unit), ok = q.length >= k + uc.length;
      for (var j = 0; ok && j < uc.length; j++) if (q[k + j] !== uc[j]) ok = false;
      if (ok) {
        var end = k + uc.length, after = q.slice(end, Math.min(q.length, end + 3)).join("");
        if (RATES.some(function (r) { return after.indexOf(r) === 0; })) return null;
        if (after.indexOf("出头") === 0) {
          more = true;
          end += 2;
        } else if (after.charAt(0) === "多") {
          more = true;
          end += 1;
        }
        return { text: q.slice(start, end).join(""), value: value, unit: u.unit,
          large: u.large !== null && value >= u.large, limit: u.limit,
          over: u.limit !== null && (value > u.limit || (more && value >= u.limit)),
          start: start, end: end };
      }
    }
    return null;
  };

  // matcher.rs Matcher::figures
  Matcher.prototype.figures = function (q) {
    var out = [], i = 0;
    while (i < q.length) {
      if (isDigit(q[i])) {
        var j = i, dot = false;
        while (j < q.length && (isDigit(q[j]) || (q[j] === "." && !dot && j + 1 < q.length && isDigit(q[j + 1])))) {
          if (q[j] === ".") dot = true;
          j++;
        }
        var value = parseFloat(q.slice(i, j).join("")) || 0, k = j;
        while (k < q.length && q[k] === " ") k++;
        var f = this.unitAt(q, k, value, i);
        if (!f && k < q.length && q[k] === "万") f = this.unitAt(q, k + 1, value * 10000, i);
        if (f) out.push(f);
        i = j;
      } else if (cnDigit(q[i]) !== null) {
        var e2 = i;
        while (e2 < q.length && cnDigit(q[e2]) !== null) e2++;
        var end = e2;
        // Two neighbouring digits are a range, read as its upper end (三四亩 → 4).
        var a0 = cnDigit(q[i]), b0 = i + 1 < q.length ? cnDigit(q[i + 1]) : null;
        var from = a0 !== null && b0 !== null && a0 > 0 && b0 === a0 + 1 ? i + 1 : i;
        for (var e = e2; e > from; e--) {
          var v = cnNumber(q.slice(from, e));
          if (v !== null) {
            var g = this.unitAt(q, e, v, i);
            if (g) {
              out.push(g);
              break;
            }
          }
        }
        i = end;
      } else {
        i++;
      }
    }
    return out;
  };

  function cmpStr(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // Rust compares strings by UTF-8 bytes; for the BMP (all the catalogue uses) code-unit order is
  // the same except for surrogates, so compare by code points.
  function cmpCodePoints(a, b) {
    var x = chars(a), y = chars(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }

  function basisText(b) {
    return b ? "（" + b + "）" : "";
  }

  function fmtFigure(v) {
    return String(v);
  }

  // matcher.rs Matcher::lookup
  Matcher.prototype.lookup = function (query) {
    var d = this.d, self = this;
    var q = chars(query).map(this.fold);
    var qpairs = this.queryPairs(q);
    // matcher.rs concept_hits: each combination part's word found first (the longer one at the same
    // place), once per query for all items: [position, word, length] or null.
    var conceptHits = (d.concepts || []).map(function (words, c) {
      var best = null;
      words.forEach(function (w, wi) {
        var wc = self.conceptChars[c][wi], p = findSaid(q, wc);
        if (p < 0) return;
        if (best === null || p < best[0] || (p === best[0] && wc.length > best[2])) best = [p, w, wc.length];
      });
      return best;
    });
    var found = [];
    d.items.forEach(function (item, index) {
      var cover = new Array(q.length).fill(0), words = [], spans = [];
      var hit = function (p, v, n, level) {
        for (var k = p; k < p + n; k++) if (cover[k] === 0) cover[k] = level;
        words.push([p, n, v]);
        if (level === 2) spans.push([p, p + n]);
      };
      var mark = function (terms, termChars, level) {
        terms.forEach(function (term, t) {
          term.forEach(function (v, vi) {
            var needle = termChars[t][vi], p = findSaid(q, needle);
            if (p >= 0) hit(p, v, needle.length, level);
          });
        });
      };
      mark(item.strong, self.termChars[index].strong, 2);
      mark(item.related, self.termChars[index].related, 1);
      // A combination names the item when each of its parts is in the text.
      var combo = false;
      (item.when || []).forEach(function (parts) {
        var got = [], missing = 0;
        parts.forEach(function (c) {
          if (conceptHits[c] === null) missing++;
          else got.push(conceptHits[c]);
        });
        if (missing === 0) {
          combo = true;
          got.forEach(function (g) { hit(g[0], g[1], g[2], 3); });
        } else if (parts.length >= 2 && missing === 1 && got.every(function (g) { return g[2] >= 2; })) {
          // All but one part: the words point at the item, like a related word.
          got.forEach(function (g) { hit(g[0], g[1], g[2], 1); });
        }
      });
      var strong = 0, related = 0;
      cover.forEach(function (c) {
        if (c >= 2) strong++;
        else if (c === 1) related++;
      });
      var shared = [];
      qpairs.forEach(function (qp) {
        if (self.pairSets[index].has(qp[1])) shared.push([qp[0], 2, qp[1]]);
      });
      var pairs = shared.length;
      var score = STRONG_WEIGHT * strong + RELATED_WEIGHT * related + PAIR_WEIGHT * pairs;
      if (score === 0) return;
      // Related words point at an item only together: two different ones name it.
      var relatedTerms = self.termChars[index].related.filter(function (t) {
        return t.some(function (v) { return findSaid(q, v) >= 0; });
      }).length;
      var tier = strong > 0 || combo || relatedTerms >= 2 ? 2 : related > 0 ? 1 : 0;
      if (tier === 0) words = shared;
      words.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1] || cmpCodePoints(a[2], b[2]); });
      var matched = [];
      words.forEach(function (w) { if (matched.indexOf(w[2]) < 0) matched.push(w[2]); });
      // A word inside a longer matched one says nothing more (路 beside 道路).
      matched = matched.filter(function (w) {
        return !matched.some(function (o) { return o !== w && o.indexOf(w) >= 0; });
      });
      found.push({ id: item.id, category: item.category, title: item.text, score: score, matched: matched,
        tier: tier, pairs: pairs, index: index, spans: spans });
    });
    found.sort(function (a, b) { return b.tier - a.tier || b.score - a.score || a.index - b.index; });
    found = found.slice(0, d.limit);
    var base = found.length ? found[0].tier : 0;

    // A cue inside a term the best item matched is part of that term (采购 in 药品集中采购), and one
    // inside a larger figure is part of it (一户 in 十一户).
    var figures = this.figures(q);
    var topSpans = found.length ? found[0].spans : [];
    var cues = [];
    d.cues.forEach(function (kind, k) {
      kind.forEach(function (term) {
        term.forEach(function (v) {
          var n = chars(v), p = find(q, n);
          if (p < 0) return;
          var end = p + n.length;
          var inside = topSpans.some(function (s) { return p < s[1] && s[0] < end; }) ||
            figures.some(function (f) { return f.start < p && end <= f.end; });
          if (!inside && !cues.some(function (c) { return c[1] === v; })) cues.push([k, v]);
        });
      });
    });
    var present = function (list) {
      return list.filter(function (w) { return find(q, chars(w)) >= 0; });
    };
    var scaleWords = present(d.scale_words), smallWords = present(d.small_words);
    var large = scaleWords.length > 0 || figures.some(function (f) { return f.large; });
    var level;
    if (cues.length) {
      level = 0;
    } else {
      level = base;
      var sized = figures.some(function (f) { return f.limit !== null; });
      if (smallWords.length && !large && !sized && level > 0) level -= 1;
      if (large) {
        if (level === 1) level = 2;
        else if (level === 0 && found.length && found[0].pairs >= 2) level = 1;
      }
    }
    var reasons = [];
    var quote = function (ws) { return ws.map(function (w) { return "“" + w + "”"; }).join(""); };
    cues.forEach(function (c) {
      var o = d.outs[c[0]];
      if (o) reasons.push("“" + c[1] + "”：" + o.text + "，一般不列入评估范围" + basisText(o.basis));
    });
    if (found.length && found[0].tier > 0) {
      var it0 = d.items[found[0].index];
      reasons.push(quote(found[0].matched) + "：" + it0.text + basisText(it0.basis));
    }
    scaleWords.forEach(function (w) { reasons.push("“" + w + "”：涉及面较广"); });
    figures.forEach(function (f) { if (f.large) reasons.push("“" + f.text + "”：规模较大"); });
    smallWords.forEach(function (w) { reasons.push("“" + w + "”：规模较小"); });
    var kind = null, rule;
    var top = found.length ? found[0] : null;
    var itemBasis = top ? d.items[top.index].basis : null;
    // matcher.rs: the best item's own scale.
    var below = null;
    if (top && level === 2 && top.tier === 2) {
      var item0 = d.items[top.index], own = [];
      figures.forEach(function (f) {
        for (var u = 0; u < item0.scale.length; u++) {
          if (item0.scale[u].unit === f.unit) {
            own.push([f, item0.scale[u].min]);
            break;
          }
        }
      });
      if (!scaleWords.length && own.length && own.every(function (x) { return x[0].value < x[1]; })) {
        var f0 = own[0][0], min0 = fmtFigure(own[0][1]);
        level = 1;
        reasons.push("“" + f0.text + "”：不足" + min0 + f0.unit + "，达不到“" + item0.text + "”的规模");
        below = { id: "below-scale", text: "规模不足" + min0 + f0.unit + "，是否属于“" + item0.text + "”请对照确定", basis: item0.basis };
      }
    }
    if (below) {
      rule = below;
    } else if (level === 2) {
      var r = this.kind(q, found, figures, reasons);
      kind = r[0];
      rule = r[1];
    } else if (level === 1) {
      if (top && top.tier === 0) rule = { id: "nearest", text: "规模较大，与目录事项相近，请对照确定", basis: itemBasis };
      else rule = { id: "related", text: "只有相关的词与目录事项相符，请对照确定", basis: itemBasis };
    } else if (cues.length) {
      var o0 = d.outs[cues[0][0]];
      rule = { id: "out-of-scope", text: o0.text + "，一般不列入评估范围", basis: o0.basis };
    } else {
      rule = { id: "none", text: "没有与目录事项相符的词", basis: null };
    }
    var verdict = level === 2 ? "in_scope" : level === 1 ? "borderline" : "out_of_scope";
    return {
      query: query,
      verdict: verdict,
      kind: kind,
      rule: rule,
      reasons: reasons,
      label: label(verdict, kind, cues.length > 0),
      matches: found,
      cues: cues,
      scaleWords: scaleWords,
      figures: figures,
      smallWords: smallWords
    };
  };

  // matcher.rs Answer::needs_check
  function needsCheck(a) {
    return a.verdict === "borderline" || (a.verdict === "out_of_scope" && a.cues.length === 0);
  }

  // matcher.rs Matcher::decide: answers is {id: true|false}; null until every question is answered.
  Matcher.prototype.decide = function (answers) {
    var c = this.d.check;
    if (!c) return null;
    for (var i = 0; i < c.questions.length; i++) {
      if (typeof answers[c.questions[i][0]] !== "boolean") return null;
    }
    var need = ["interests", "land", "wide", "conflict"];
    for (var j = 0; j < need.length; j++) if (typeof answers[need[j]] !== "boolean") return null;
    var a = answers;
    if (a.land) return ["in_scope", { id: "check-land", text: "涉及征地、房屋征收或者搬迁安置，属于应当评估的重大决策", basis: "第七条" }];
    if (a.interests && a.wide && a.conflict) return ["in_scope", { id: "check-major", text: "事关群众切身利益、牵涉面广、容易引发不稳定问题，属于重大事项", basis: c.basis }];
    if (a.interests && (a.wide || a.conflict)) return ["borderline", { id: "check-unsure", text: "涉及群众切身利益，但不完全符合重大事项的条件，请商县委政法委（维稳办）确定", basis: "第九条" }];
    return ["out_of_scope", { id: "check-minor", text: "不同时具备重大事项的条件，一般不需要评估", basis: c.basis }];
  };

  // matcher.rs check_label
  function checkLabel(v) {
    return v === "in_scope" ? "应当评估" : v === "borderline" ? "可能需要评估" : "一般不需要评估";
  }

  // matcher.rs Answer::label
  function label(verdict, kind, cued) {
    if (verdict === "in_scope") return kind === "简易" ? "应当评估（可适用简易评估）" : "应当评估";
    if (verdict === "borderline") return "可能需要评估";
    return cued ? "一般不需要评估" : "未匹配到评估事项";
  }

  // matcher.rs Matcher::kind
  Matcher.prototype.kind = function (q, found, figures, reasons) {
    var d = this.d, top = found.length ? found[0] : null;
    var catalogue = { id: top && top.tier === 2 ? "catalogue" : "scale",
      text: top ? "属于目录事项“" + top.title + "”" : "", basis: top ? d.items[top.index].basis : null };
    var simple = d.simple;
    if (!simple) return [null, catalogue];
    var limited = figures.filter(function (f) { return f.limit !== null; });
    var over = limited.filter(function (f) { return f.over; });
    if (over.length) {
      var f = over[0], max = fmtFigure(f.limit);
      reasons.push("“" + f.text + "”：超过" + max + f.unit + "，应当普通评估");
      return ["普通", { id: "over-limit", text: "“" + f.text + "”超过简易评估的" + max + f.unit, basis: simple.basis }];
    }
    var excluded = found.filter(function (m) { return m.tier === 2 && simple.not_for.indexOf(m.id) >= 0; });
    if (excluded.length) {
      if (!limited.length) return ["普通", catalogue];
      reasons.push("“" + excluded[0].title + "”不适用简易评估");
      return ["普通", { id: "not-simple", text: "“" + excluded[0].title + "”不适用简易评估", basis: simple.basis }];
    }
    var against = simple.against.filter(function (w) { return findSaid(q, chars(w)) >= 0; });
    if (against.length) {
      if (!limited.length) return ["普通", catalogue];
      reasons.push("“" + against[0] + "”：不符合简易评估的条件");
      return ["普通", { id: "not-simple", text: "“" + against[0] + "”不符合简易评估的条件", basis: simple.basis }];
    }
    if (!limited.length) return ["普通", catalogue];
    limited.forEach(function (f) { reasons.push("“" + f.text + "”：不超过" + fmtFigure(f.limit) + f.unit); });
    return ["简易", { id: "simple", text: catalogue.text + "，规模在简易评估的限度内", basis: simple.basis }];
  };

  var api = global.PortalScope || {};
  api.Matcher = Matcher;
  api.needsCheck = needsCheck;
  api.checkLabel = checkLabel;
  api.foldChar = foldChar;
  api.cnNumber = cnNumber;
  api.cmpStr = cmpStr;
  api.data = function () {
    var list = global.PortalScopeData || [];
    return list.length ? list[list.length - 1] : null;
  };
  var listeners = [];
  api.onReady = function (f) {
    if (api.data()) f(api.data());
    else listeners.push(f);
  };
  api.ready = function () {
    var d = api.data();
    if (!d) return;
    listeners.splice(0).forEach(function (f) { f(d); });
  };
  global.PortalScope = api;
})(typeof window !== "undefined" ? window : this);
