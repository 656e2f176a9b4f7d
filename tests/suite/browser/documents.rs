//! Policy documents in Chromium: a notice prints as a 公文 on A4 with the GB/T 9704 版心 (天头
//! 37 mm, 订口 28 mm, 156 mm wide), in the normal colours and in 高对比度; the 新旧条文对照表 prints
//! on A4 with every article; the 政策文件 table filters by status and lists everything without JS.
//!
//! Chromium and poppler are required under `CI=true`; elsewhere a missing browser skips loudly.

use crate::support::browser::{file_url, Browser};
use crate::support::pdf::{assert_pdf_pages_mm, pdf_page_rgb, pdf_text};
use crate::support::site::Site;

const MM: f64 = 72.0 / 25.4;

#[test]
fn a_notice_prints_as_a_gongwen_on_a4_in_both_colour_modes() {
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let tmp = tempfile::tempdir().unwrap();
    let url = file_url(run.out.join("notices/2025-annual-plan/index.html"));
    for contrast in [false, true] {
        b.open(&url);
        if contrast {
            b.click(".js-contrast");
            assert!(b.eval_json("document.documentElement.classList.contains('contrast')") == true);
        }
        let pdf = tmp.path().join(format!("notice-{contrast}.pdf"));
        b.print_pdf(&pdf, false);
        assert_pdf_pages_mm(&pdf, (210.0, 297.0));
        let text: String = pdf_text(&pdf).split_whitespace().collect();
        for want in [
            "中共清河县委政法委员会",
            "清政法〔2025〕2号",
            "关于报送2025年度重大事项社会稳定风险评估计划的通知",
            "各乡镇党委和人民政府，县直各部门、各单位：",
            "附件：",
            "2025年1月10日",
            "抄送：县委办公室，县人民政府办公室",
        ] {
            assert!(
                text.contains(want),
                "contrast {contrast}: printed notice lacks {want}"
            );
        }
        for gone in ["当前位置", "字体", "打印本页", "主办单位"] {
            assert!(
                !text.contains(gone),
                "contrast {contrast}: screen-only {gone} printed"
            );
        }
        // The 版心: ink starts at the 天头 and the 订口 and stays within 156 mm; the 发文机关标志
        // and the rule under the 文号 print red in both modes.
        let (w, h, px) = pdf_page_rgb(&pdf, 1);
        let ink = |x: usize, y: usize| px[(y * w + x) * 3..][..3].iter().all(|&c| c < 160);
        let red = |x: usize, y: usize| {
            let p = &px[(y * w + x) * 3..][..3];
            p[0] > 170 && p[1] < 90 && p[2] < 90
        };
        let any = |f: &dyn Fn(usize, usize) -> bool| {
            (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .filter(|&(x, y)| f(x, y))
                .collect::<Vec<_>>()
        };
        let dark = any(&|x, y| ink(x, y) || red(x, y));
        let top = dark.iter().map(|p| p.1).min().unwrap() as f64 / MM;
        let left = dark.iter().map(|p| p.0).min().unwrap() as f64 / MM;
        let right = dark.iter().map(|p| p.0).max().unwrap() as f64 / MM;
        assert!(
            (36.0..42.0).contains(&top),
            "contrast {contrast}: ink starts {top:.1} mm from the top"
        );
        assert!(
            (left - 28.0).abs() < 1.5,
            "contrast {contrast}: ink starts {left:.1} mm from the left"
        );
        assert!(
            right <= 28.0 + 156.0 + 1.0,
            "contrast {contrast}: ink reaches {right:.1} mm"
        );
        let reds = any(&red);
        assert!(
            reds.len() > 500,
            "contrast {contrast}: the 版头 prints red ({} red pixels)",
            reds.len()
        );
    }
    b.click(".js-contrast");
    b.assert_no_console_errors();
}

#[test]
fn the_comparison_prints_every_article_on_a4_and_the_table_filters_by_status() {
    let Some(b) = Browser::launch_with_retry() else {
        return;
    };
    let run = Site::sample().build().ok();
    let tmp = tempfile::tempdir().unwrap();
    b.open(&file_url(
        run.out.join("measures/implementation/compare/index.html"),
    ));
    let pdf = tmp.path().join("compare.pdf");
    b.print_pdf(&pdf, false);
    assert_pdf_pages_mm(&pdf, (210.0, 297.0));
    let text: String = pdf_text(&pdf).split_whitespace().collect();
    for want in [
        "新旧条文对照表",
        "第一条",
        "第十条",
        "第二十四条",
        "第三十八条",
        "新增",
        "删除",
    ] {
        assert!(text.contains(want), "printed comparison lacks {want}");
    }
    b.assert_no_console_errors();

    b.open(&file_url(run.out.join("measures/index.html")));
    let visible = "Array.from(document.querySelectorAll('.doc-table tbody tr')).filter(r => !r.hidden && r.getClientRects().length).length";
    assert_eq!(b.eval_json(visible), 2);
    assert_eq!(
        b.texts(".doc-filter button"),
        ["全部（2）", "现行有效（1）", "已废止（1）"]
    );
    b.click(".doc-filter button[data-status='已废止']");
    assert_eq!(b.eval_json(visible), 1);
    assert!(b
        .text(".doc-table tbody tr:not([hidden])")
        .contains("暂行办法"));
    assert_eq!(b.text(".doc-filter [role=status]"), "显示 1 件");
    b.click(".doc-filter button[data-status='']");
    assert_eq!(b.eval_json(visible), 2);
    b.assert_no_console_errors();
}
