//! Benchmark: parse and lay out a 200-step flowchart with 30 decisions (branches forward, loops
//! back), and render its SVG. Prints the figures; never fails on timings.
//!
//! ```sh
//! tests/bench/run flow_layout
//! ```

use policy_portal::flow::svg::render_svg;
use policy_portal::flow::{layout, parse_chart};
use policy_portal::markdown::EmbedContext;
use std::time::{Duration, Instant};

/// 200 nodes: 170 steps and 30 decisions (every sixth line a decision from line 6 on), each
/// decision with a branch on, a branch that skips ahead and every third one a loop back.
fn chart_source() -> String {
    let mut src = String::new();
    let mut decisions = 0;
    for i in 0..200 {
        if i % 6 == 5 && decisions < 30 {
            decisions += 1;
            let skip = (i + 3).min(199);
            let mut branches = format!("是: n{} / 否: n{skip}", i + 1);
            if decisions % 3 == 0 {
                branches.push_str(&format!(" / 退回: n{}", i - 4));
            }
            src.push_str(&format!(
                "? n{i}: 第{i}步：材料是否齐全、风险是否可控？ | 评估小组 -> {branches}\n"
            ));
        } else {
            src.push_str(&format!("- n{i}: 第{i}个环节：形成评估报告并报送维稳办备案 | 责任主体 | 评估结束后3日内 | 审核表、报备表\n"));
        }
    }
    assert_eq!(decisions, 30);
    src
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "benchmark: tests/bench/run flow_layout"]
fn layout_200_steps_30_decisions() {
    let src = chart_source();
    let cx = EmbedContext {
        path: "bench.md",
        first_line: 1,
        source_dir: "",
        info: "flow 基准",
    };
    let (mut parse_t, mut layout_t, mut svg_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut size = (0.0, 0.0, 0);
    for _ in 0..21 {
        let t = Instant::now();
        let chart = parse_chart(&src, &cx).expect("the benchmark chart parses");
        parse_t.push(t.elapsed());
        let t = Instant::now();
        let l = layout(&chart);
        layout_t.push(t.elapsed());
        let t = Instant::now();
        let svg = render_svg(&chart, &l, &[], "bench", false);
        svg_t.push(t.elapsed());
        size = (l.width, l.height, svg.len());
    }
    let max_layout = *layout_t.iter().max().unwrap();
    println!(
        "flow bench: 200 nodes (30 decisions), {} × {} px, SVG {} KB",
        size.0,
        size.1,
        size.2 / 1024
    );
    println!("  parse  median {:?}", median(parse_t));
    println!(
        "  layout median {:?} (max {:?}; target < 50 ms)",
        median(layout_t),
        max_layout
    );
    println!("  svg    median {:?}", median(svg_t));
}
