//! Golden SVG snapshots of flowcharts (review changes with `cargo insta review`), plus the checks
//! every chart's SVG must pass: accessible name and description, no `style` attribute, no script,
//! links on linked nodes, colours from `currentColor` only.

use policy_portal::flow::svg::{print_cuts, print_plan, render_print_parts, render_svg};
use policy_portal::flow::{layout, parse_chart};
use policy_portal::markdown::EmbedContext;

fn svg(title: &str, src: &str) -> String {
    let info = format!("flow {title}");
    let cx = EmbedContext {
        path: "content/t.md",
        first_line: 1,
        source_dir: "",
        info: &info,
    };
    let chart = parse_chart(src, &cx).unwrap_or_else(|d| panic!("{d:?}"));
    let l = layout(&chart);
    let hrefs: Vec<String> = chart
        .links
        .iter()
        .enumerate()
        .map(|(i, _)| format!("../forms/f{i}/index.html"))
        .collect();
    let s = render_svg(&chart, &l, &hrefs, "flow-test", false);
    assert_common(&s);
    s
}

fn assert_common(s: &str) {
    assert!(
        s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{s}"
    );
    assert!(
        s.contains("role=\"group\"")
            && s.contains("<title id=\"flow-test-t\">")
            && s.contains("<desc id=\"flow-test-d\">")
    );
    assert!(!s.contains("style="), "no style attributes: {s}");
    assert!(!s.to_lowercase().contains("<script"), "no scripts");
    for paint in [
        "fill=\"#",
        "stroke=\"#",
        "fill=\"rgb",
        "stroke=\"rgb",
        "fill=\"white",
        "fill=\"black",
    ] {
        assert!(
            !s.contains(paint),
            "colours come from currentColor, not {paint}…"
        );
    }
}

#[test]
fn linear_steps() {
    insta::assert_snapshot!(svg("三步", "- a: 确定评估事项 | 责任主体\n- b: 形成评估报告 | 评估小组 | 评估结束后3日内\n- c: 报维稳办备案 | 责任主体 | 决定的次日 | [报备表](@/forms/filing.md)\n"));
}

#[test]
fn risk_level_branches_and_loop() {
    insta::assert_snapshot!(svg("风险等级分支", "- analysis: 分析预测风险 | 评估小组\n? level: 确定风险等级 -> 高: adjust / 中: mitigate / 低: report\n  - adjust: 调整决策方案后重新评估 -> analysis\n  - mitigate: 落实防范化解措施\n- report: 形成评估报告\n"));
}

#[test]
fn review_loops_back_and_decisions_chain() {
    insta::assert_snapshot!(svg("初审与跟踪", "- report: 形成评估报告\n? review: 维稳办初审：材料齐全？ -> 是: decide / 否: report\n- decide: 决策机关集体讨论决定\n- implement: 落实化解措施\n? track: 出现新的风险？ -> 是: stop / 否: archive\n- stop: 调整、暂停或者终止实施 -> implement\n- archive: 一事一卷归档\n"));
}

#[test]
fn long_chinese_and_latin_labels_wrap_inside_their_boxes() {
    insta::assert_snapshot!(svg("长标签", "- a: 社会稳定风险评估年度计划表（报维稳办备案，3月底前）和 progress report 每月20日前报送 | 各乡镇、县直各部门、各人民团体 | 3月底前\n? b: 是否属于《评估事项指导目录》所列事项？ -> 是: c / 否: d\n- c: 开展普通评估 -> end\n- d: 不需要评估，说明理由备查\n"));
}

#[test]
fn a_tall_chart_prints_on_several_pages_with_continuation_marks() {
    let mut src = String::new();
    for i in 0..30 {
        src.push_str(&format!("- s{i}: 第{i}个环节 | 责任主体 | 3日内\n"));
    }
    src.push_str("? last: 全部完成？ -> 是: end1 / 否: s10\n- end1: 归档\n");
    let cx = EmbedContext {
        path: "content/t.md",
        first_line: 1,
        source_dir: "",
        info: "flow 长流程",
    };
    let chart = parse_chart(&src, &cx).unwrap();
    let l = layout(&chart);
    let plan = print_plan(&l);
    let cuts = plan.cuts.clone();
    assert!(
        plan.scale >= 0.8 - 1e-9 && plan.scale <= 1.0,
        "split pages stay readable: {plan:?}"
    );
    assert!(
        cuts.len() >= 2,
        "a 32-step chart needs several pages: {cuts:?} for height {}",
        l.height
    );
    let parts = render_print_parts(&l, "flow-x", &plan);
    assert_eq!(
        parts.matches("class=\"flow-print-part\"").count(),
        cuts.len() + 1
    );
    assert_eq!(
        parts.matches("<use href=\"#flow-x-g\"/>").count(),
        cuts.len() + 1
    );
    assert!(parts.contains("接下页") && parts.contains("接上页"));
    // The loop back from the last decision crosses every cut: each cut has a lettered mark pair.
    assert!(parts.matches(">A</text>").count() == 2, "{parts}");
    let short = parse_chart("- a: 一\n- b: 二\n", &cx).unwrap();
    assert!(
        print_cuts(&layout(&short)).is_empty(),
        "a short chart prints on one page"
    );
}
