// policy-portal text rules: src/text.rs written again for the browser — the character fold, the
// character classes, units and unigram/bigram tokens. ONE copy, loaded before search-core.js and
// scope-core.js, so the search box and the scope lookup cut text exactly as the Rust side does
// (checked token for token by the browser tests). A classic script, not an ES module, so pages
// work when opened from file://. Plain script, no dependencies; exposes window.PortalText.
(function (global) {
  "use strict";

  var MAX_UNIT_CHARS = 32;
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  // text.rs t2s: Traditional -> Simplified, installed by setT2s once a page needs it.
  var T2S = null;

  function foldChar(c) {
    var u = c.codePointAt(0);
    if (u >= 0xff01 && u <= 0xff5e) return String.fromCodePoint(u - 0xfee0).toLowerCase();
    if (u === 0x3000) return " ";
    if (u >= 0x2460 && u <= 0x2468) return String.fromCodePoint(u - 0x2460 + 49);
    if (u < 128) return u >= 65 && u <= 90 ? String.fromCharCode(u + 32) : c;
    if (u >= 0x3400 && u <= 0x9fff) { // CJK ideographs: no case; Traditional -> Simplified
      if (T2S) { var s = T2S.get(u); if (s !== undefined) return s; }
      return c;
    }
    if (u >= 0x3040 && u <= 0x33ff) return c; // kana have no case
    var l = c.toLowerCase();
    return Array.from(l).length === 1 ? l : c;
  }

  function fold(text) {
    var out = "";
    for (var c of text) out += foldChar(c);
    return out;
  }

  // "c" CJK, "d" digit, "w" other letters and numerals, "s" separator.
  function charClass(c) {
    var u = c.codePointAt(0);
    if (u === 0x3007 || (u >= 0x3040 && u <= 0x30ff) || (u >= 0x3400 && u <= 0x4dbf) || (u >= 0x4e00 && u <= 0x9fff) ||
        (u >= 0xac00 && u <= 0xd7af) || (u >= 0xf900 && u <= 0xfaff) || (u >= 0x20000 && u <= 0x2fa1f)) return "c";
    if (u >= 48 && u <= 57) return "d";
    return WORD.test(c) ? "w" : "s";
  }

  function units(text) {
    var out = [], position = 0, gap = false, cur = null, curClass = null, i = 0;
    for (var raw of text) {
      var c = foldChar(raw), cls = charClass(c);
      if (cur) {
        if (cls === curClass && cls !== "c") {
          if (cur.end - cur.start < MAX_UNIT_CHARS) cur.text += c;
          cur.end = i + 1;
          i++;
          continue;
        }
        out.push(cur);
        cur = null;
      }
      if (cls === "s") {
        gap = out.length > 0;
        i++;
        continue;
      }
      if (gap) position += 1;
      var here = out.length === 0 ? 0 : position;
      cur = { text: c, position: here, start: i, end: i + 1, gapBefore: gap };
      curClass = cls;
      gap = false;
      position = here + 1;
      i++;
    }
    if (cur) out.push(cur);
    return out;
  }

  function tokensOfUnits(us) {
    var out = [];
    for (var i = 0; i < us.length; i++) {
      var u = us[i], n = us[i + 1];
      out.push({ text: u.text, position: u.position, start: u.start, end: u.end });
      if (n && !n.gapBefore) out.push({ text: u.text + n.text, position: u.position, start: u.start, end: n.end });
    }
    return out;
  }

  function tokenize(text) { return tokensOfUnits(units(text)); }

  function queryTokens(text) {
    var us = units(text), out = [];
    for (var i = 0; i < us.length; i++) {
      var u = us[i], n = us[i + 1];
      var nextJoined = !!n && !n.gapBefore, prevJoined = i > 0 && !u.gapBefore;
      if (nextJoined) out.push({ text: u.text + n.text, position: u.position, start: u.start, end: n.end });
      else if (!prevJoined) out.push({ text: u.text, position: u.position, start: u.start, end: u.end });
    }
    return out;
  }

  // Installs search/t2s.js: `keys` the Traditional code points as export.rs
  // traditional_characters writes them (differences from U+3400 in the number encoding of
  // export.rs write_number: 5-bit groups, the last 32 letters end a number), `simplified` one
  // character for each, in order.
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function setT2s(keys, simplified) {
    if (T2S) return;
    var m = new Map(), s = Array.from(simplified), n = 0, prev = 0x3400, k = 0;
    for (var i = 0; i < keys.length; i++) {
      var d = ALPHABET.indexOf(keys.charAt(i));
      if (d < 32) n = n * 32 + d;
      else { prev += n * 32 + d - 32; m.set(prev, s[k++]); n = 0; }
    }
    T2S = m;
  }

  function t2sReady() { return !!T2S; }

  // text.rs char_class(c) == CharClass::Cjk
  function isCjk(c) {
    return charClass(c) === "c";
  }

  global.PortalText = {
    MAX_UNIT_CHARS: MAX_UNIT_CHARS,
    foldChar: foldChar,
    fold: fold,
    charClass: charClass,
    isCjk: isCjk,
    units: units,
    tokensOfUnits: tokensOfUnits,
    tokenize: tokenize,
    queryTokens: queryTokens,
    setT2s: setT2s,
    t2sReady: t2sReady
  };
})(typeof window !== "undefined" ? window : globalThis);
