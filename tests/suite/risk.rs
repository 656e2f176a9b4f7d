//! Integration tests of the risk matrix: worksheet configuration checks in `portal check`, and
//! `portal risk` applying the sample site's worksheet to CSV files of factors.

use crate::support::site::Site;

const FACTORS: &str = "tests/fixtures/risk/factors.csv";

#[test]
fn bad_worksheet_configurations_are_reported_with_positions() {
    let run = Site::fixture("risk-broken").check().failed();
    insta::assert_snapshot!("risk_broken_diagnostics", run.stable_stderr());
}

#[test]
fn the_sample_and_four_level_worksheets_are_valid() {
    let run = Site::sample().check().ok();
    assert!(run.diagnostics().is_empty(), "{}", run.stderr);
    let run = Site::fixture("risk-four-level").check().ok();
    assert!(run.diagnostics().is_empty(), "{}", run.stderr);
}

#[test]
fn risk_prints_a_table_ending_with_one_summary_line() {
    let run = Site::sample().portal(&["risk", FACTORS]).ok();
    insta::assert_snapshot!("risk_table", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with(
            "assessed 7 factors by the counting method: 高风险 → 低风险, suggested 完善后实施 in "
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn risk_json_has_the_documented_shape() {
    let run = Site::sample().portal(&["risk", FACTORS, "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["decision", "factors", "overall"]);
    assert_eq!(
        v["factors"][1],
        serde_json::json!({"factor": "征地补偿标准低于邻近乡镇，群众攀比", "score": 16, "degree": "较大", "score_after": 8, "degree_after": "一般"})
    );
    assert_eq!(
        v["overall"],
        serde_json::json!({"method": "counting", "before": "高", "after": "低"})
    );
    assert_eq!(v["decision"], "完善后实施");
    insta::assert_snapshot!("risk_json", run.stdout);
}

#[test]
fn risk_method_weighted_uses_the_index() {
    let run = Site::sample()
        .portal(&["risk", FACTORS, "--json", "--method", "weighted"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["overall"],
        serde_json::json!({"method": "weighted", "before": "低", "after": "低"})
    );
    assert_eq!(v["decision"], "实施");
    let four = Site::fixture("risk-four-level").portal(&["risk", FACTORS, "--json"]);
    assert!(
        !four.success,
        "the four-level fixture has no 安全性 dimension"
    );
    assert!(
        four.stderr
            .contains("tests/fixtures/risk/factors.csv:6:1: error: unknown dimension `安全性`"),
        "{}",
        four.stderr
    );
}

#[test]
fn bad_rows_are_diagnostics_at_file_line_col() {
    let run = Site::sample()
        .portal(&["risk", "tests/fixtures/risk/bad-factors.csv"])
        .failed();
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!("risk_bad_rows", run.stable_stderr());
}

#[test]
fn weights_must_sum_to_one_for_the_weighted_method() {
    let csv = "tests/fixtures/risk/weights.csv";
    let run = Site::sample()
        .portal(&["risk", csv, "--method", "weighted"])
        .failed();
    assert!(
        run.stderr.starts_with(&format!(
            "{csv}:1:41: error: weights sum to 0.8: expected 1 for the weighted method\n"
        )),
        "{}",
        run.stderr
    );
    Site::sample()
        .portal(&["risk", csv, "--method", "counting"])
        .ok();
}

#[test]
fn a_site_without_a_worksheet_says_so() {
    let run = Site::minimal().portal(&["risk", FACTORS]).failed();
    assert!(
        run.stderr
            .starts_with("content: error: no `kind: worksheet` page"),
        "{}",
        run.stderr
    );
}
