// policy-portal risk model: the same rules as src/risk/model.rs, as pure functions over the
// worksheet configuration the page embeds (#worksheet-config, made by src/risk/client.rs). Nothing
// here knows a scale, a cell, a threshold or a word: everything comes from the configuration.
// tests/risk_parity.rs runs this file (in node and in Chromium) against the Rust model.
//
// A factor is {dimension, name, likelihood, consequence, weight (number|null), after ([l, c]|null)}.
// Levels are indices into config.levels (0 = worst); degrees are indices into config.degrees
// (0 = mildest). Classic script: sets window.PortalRiskModel, or module.exports under node.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.PortalRiskModel = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var HIGH = 0, MEDIUM = 1, LOW = 2;

  function cell(config, l, c) {
    return config.cells[l - 1][c - 1];
  }

  // A factor's ratings after mitigation (its ratings before, when not re-rated).
  function afterRatings(f) {
    return f.after ? f.after : [f.likelihood, f.consequence];
  }

  function rate(config, f) {
    var a = afterRatings(f);
    return {
      score: f.likelihood * f.consequence,
      degree: cell(config, f.likelihood, f.consequence),
      score_after: a[0] * a[1],
      degree_after: cell(config, a[0], a[1])
    };
  }

  function degreesAt(rated, stage) {
    return rated.map(function (r) { return stage === "after" ? r.degree_after : r.degree; });
  }

  // Whether any condition holds: at least `count` factors of degree `degree` or worse.
  function anyHolds(conditions, degrees) {
    return conditions.some(function (k) {
      var n = 0;
      for (var i = 0; i < degrees.length; i++) if (degrees[i] >= k.degree) n++;
      return n >= k.count;
    });
  }

  // The scheme's level for a base level (the four-level crosswalk sends low with nothing above
  // the mildest degree to 四级).
  function outputLevel(config, base, degrees) {
    if (config.scheme === "四级" && base === LOW && degrees.every(function (d) { return d === 0; })) return 3;
    return base;
  }

  function countingOutcome(config, rated, stage) {
    var degrees = degreesAt(rated, stage);
    var c = config.counting;
    var base = anyHolds(c.high, degrees) ? HIGH : anyHolds(c.medium, degrees) ? MEDIUM : LOW;
    return { level: outputLevel(config, base, degrees), base: base, index: null };
  }

  // I = Σ w·P·Q, summed in factor order.
  function weightedIndex(config, factors, weights, stage) {
    var coef = config.weighted.coefficients;
    var sum = 0;
    for (var i = 0; i < factors.length; i++) {
      var f = factors[i];
      var r = stage === "after" ? afterRatings(f) : [f.likelihood, f.consequence];
      var x = coef[r[0] - 1] * coef[r[1] - 1];
      sum += weights[i] * x;
    }
    return sum;
  }

  function weightedOutcome(config, factors, rated, weights, stage) {
    var i = weightedIndex(config, factors, weights, stage);
    var t = config.weighted.thresholds;
    var base = i <= t[0] + config.epsilon ? LOW : i <= t[1] + config.epsilon ? MEDIUM : HIGH;
    return { level: outputLevel(config, base, degreesAt(rated, stage)), base: base, index: i };
  }

  function dimensionWeight(config, name) {
    for (var i = 0; i < config.dimensions.length; i++) {
      if (config.dimensions[i].name === name) return config.dimensions[i].weight || 0;
    }
    return 0;
  }

  // The weights of the weighted index: {ok: true, weights} or {ok: false, problem}.
  function effectiveWeights(config, factors) {
    var given = factors.filter(function (f) { return f.weight !== null && f.weight !== undefined; }).length;
    var n = factors.length;
    if (given > 0 && given < n) {
      for (var k = 0; k < n; k++) {
        if (factors[k].weight === null || factors[k].weight === undefined) return { ok: false, problem: { kind: "missing", factor: k } };
      }
    }
    if (given > 0) {
      var sum = 0;
      for (var j = 0; j < n; j++) sum += factors[j].weight;
      if (Math.abs(sum - 1) <= config.epsilon) return { ok: true, weights: factors.map(function (f) { return f.weight; }) };
      return { ok: false, problem: { kind: "sum", sum: sum } };
    }
    var byDimension = config.dimensions.length > 0 && config.dimensions.every(function (d) { return d.weight !== null && d.weight !== undefined; });
    return {
      ok: true,
      weights: factors.map(function (f) {
        if (!byDimension) return 1 / n;
        var share = factors.filter(function (g) { return g.dimension === f.dimension; }).length;
        return dimensionWeight(config, f.dimension) / share;
      })
    };
  }

  // The decision for the expected level `after`, given the initial level `before`.
  function decide(config, before, after) {
    var level = config.levels[after];
    if (level.mitigated_decision && after > before) return { word: level.mitigated_decision, mitigated: true };
    return { word: level.decision, mitigated: false };
  }

  function hasMethod(config, name) {
    return config.methods.some(function (m) { return m.name === name; });
  }

  // Everything the worksheet shows for `factors` under `method` ("counting" or "weighted").
  function evaluate(config, factors, method) {
    var rated = factors.map(function (f) { return rate(config, f); });
    var weights = effectiveWeights(config, factors);
    var counting = null, weighted = null;
    if (config.counting) counting = { before: countingOutcome(config, rated, "before"), after: countingOutcome(config, rated, "after") };
    if (config.weighted) {
      weighted = weights.ok
        ? { ok: true, before: weightedOutcome(config, factors, rated, weights.weights, "before"), after: weightedOutcome(config, factors, rated, weights.weights, "after") }
        : { ok: false, problem: weights.problem };
    }
    if (!hasMethod(config, method)) method = config.method;
    var overall = method === "weighted" ? (weighted && weighted.ok ? weighted : null) : counting;
    var decision = overall ? decide(config, overall.before.level, overall.after.level) : null;
    return { factors: rated, weights: weights, counting: counting, weighted: weighted, method: method, overall: overall, decision: decision };
  }

  // What was observed at one stage: "较大1项、一般2项" (counting) or "I = 0.379" (weighted).
  function observed(config, rated, stage, outcome) {
    if (outcome.index !== null && outcome.index !== undefined) return "I = " + round3(outcome.index);
    var counts = config.degrees.map(function () { return 0; });
    degreesAt(rated, stage).forEach(function (d) { counts[d]++; });
    var parts = [];
    for (var d = counts.length - 1; d >= 0; d--) if (counts[d] > 0) parts.push(config.degrees[d].name + counts[d] + "项");
    return parts.length ? parts.join("、") : "没有风险因素";
  }

  function round3(x) {
    return Math.round(x * 1000) / 1000;
  }

  return {
    cell: cell,
    rate: rate,
    afterRatings: afterRatings,
    effectiveWeights: effectiveWeights,
    weightedIndex: weightedIndex,
    decide: decide,
    evaluate: evaluate,
    observed: observed,
    round3: round3
  };
});
