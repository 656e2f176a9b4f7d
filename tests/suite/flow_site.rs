//! Flowcharts in sites built by the real binary: the sample procedure page, a chart in an ordinary
//! page, and every kind of mistake reported with its position.

use crate::support::site::Site;

#[test]
fn sample_procedure_page_has_its_chart_list_and_menu_entry() {
    let run = Site::sample().build().ok();
    let html = run.read("procedure/index.html");
    assert!(
        html.contains("<figure class=\"flow\""),
        "the chart is embedded"
    );
    assert!(html.contains("role=\"group\"") && html.contains("<title id=\"flow-"));
    assert!(
        html.contains("<ol class=\"flow-steps\""),
        "the text version is beside the chart"
    );
    assert!(
        html.contains("<dt>依据</dt>"),
        "the procedure's front matter is shown"
    );
    assert!(
        html.contains("css/flow.css"),
        "the flow stylesheet is loaded where a chart is"
    );
    assert!(
        !run.read("faq/index.html").contains("css/flow.css"),
        "and only there"
    );
    for step in [
        "编制年度稳评计划",
        "确定评估事项",
        "成立评估小组，制定评估方案",
        "广泛征求意见",
        "分析预测风险",
        "确定风险等级",
        "形成评估报告",
        "决策机关集体讨论作出决定",
        "报维稳办备案",
        "落实化解措施和应急处置预案",
        "一事一卷归档",
    ] {
        assert!(html.contains(step), "missing step {step}");
    }
    for limit in ["3月底前", "每月20日前", "评估结束后3日内", "决定的次日"] {
        assert!(html.contains(limit), "missing time limit {limit}");
    }
    // Nodes link to the measure's articles, relative to the page.
    assert!(html.contains("<a href=\"../measures/implementation/index.html#第二十四条\"><g class=\"flow-node flow-step flow-linked\" data-id=\"report\">"), "linked node");
    run.contains("index.html", ">评估流程</a>");
    assert!(!html.contains("style=\""), "no inline styles (CSP)");
}

#[test]
fn a_chart_in_an_ordinary_page_renders_too() {
    let run = Site::minimal()
        .file("content/guide.md", "---\ntitle: 指引\n---\n\n```flow 小流程\n- a: 第一步\n? b: 是否通过？ -> 是: c / 否: a\n- c: 结束\n```\n")
        .build()
        .ok();
    let html = run.read("guide/index.html");
    assert!(html.contains("<figcaption class=\"flow-caption\""));
    assert!(html.contains("flow-loop"), "the 否 branch loops back");
    assert!(html.contains("css/flow.css"));
}

#[test]
fn flow_mistakes_are_reported_with_positions() {
    let run = Site::fixture("broken-flow").check().failed();
    insta::assert_snapshot!(run.stable_stderr());
}
