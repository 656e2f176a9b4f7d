//! Integration tests of `portal build`, `check` and `new` on fixture sites and the sample site.

use crate::support::site::{snapshot_tree, Site};

#[test]
fn sample_site_builds_without_errors_or_warnings() {
    let run = Site::sample().build().ok();
    assert!(run.diagnostics().is_empty(), "{}", run.stderr);
    for f in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "measures/implementation/index.html",
        "faq/index.html",
        "css/portal.css",
        "js/portal.js",
    ] {
        assert!(run.exists(f), "missing {f}");
    }
    run.contains("measures/implementation/index.html", "id=\"第十二条\"");
    let summary = run.stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("built ") && summary.contains(" pages into public "),
        "{summary}"
    );
}

#[test]
fn pages_map_to_folders_and_links_are_relative() {
    let run = Site::fixture("basic").build().ok();
    assert!(run.exists("index.html"));
    assert!(run.exists("guide/index.html"));
    assert!(run.exists("guide/levels/index.html"));
    assert!(run.exists("guide/bundle/index.html"));
    assert!(!run.exists("draft/index.html"), "drafts are left out");
    // @/ links resolve to relative URLs that name index.html, anchors kept.
    // (pulldown-cmark percent-encodes the fragment; browsers decode it to find `id="第二条"`.)
    run.contains(
        "guide/levels/index.html",
        "href=\"../../guide/measure/index.html#%E7%AC%AC%E4%BA%8C%E6%9D%A1\"",
    );
    run.contains(
        "guide/measure/index.html",
        "href=\"../../guide/levels/index.html#%E4%B8%80%E4%B8%89%E7%BA%A7%E5%88%92%E5%88%86\"",
    );
    // Every internal href in every page is relative and names a file.
    for (path, bytes) in snapshot_tree(&run.out) {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for href in html
            .split("href=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
        {
            assert!(!href.starts_with('/'), "{path}: absolute href {href}");
            if !href.starts_with("http") && !href.starts_with('#') {
                let target = href.split('#').next().unwrap();
                assert!(
                    target.ends_with("index.html") || target.contains('.'),
                    "{path}: {href} does not name a file"
                );
            }
        }
    }
}

#[test]
fn headings_articles_tables_and_footnotes_render() {
    let run = Site::fixture("basic").build().ok();
    let levels = run.read("guide/levels/index.html");
    assert!(levels.contains("<h2 id=\"一三级划分\">"), "{levels}");
    assert!(levels.contains("<h2 id=\"一三级划分-2\">"));
    assert!(levels.contains("<div class=\"table-wrap\"><table>"));
    assert!(levels.contains("footnote-definition"));
    let measure = run.read("guide/measure/index.html");
    assert!(measure
        .contains("<p class=\"article\" id=\"第一条\"><span class=\"article-no\">第一条</span>"));
    for field in [
        "测办发〔2024〕1号",
        "测试县人民政府办公室",
        "2024-03-20",
        "现行有效",
        "000/2024-001",
        "综合政务",
    ] {
        assert!(measure.contains(field), "metadata block lacks {field}");
    }
    // The table of contents lists chapters with their articles.
    assert!(measure.contains("<a href=\"#第一章-总则\">第一章　总则</a>"));
    assert!(measure.contains("<li><a href=\"#第二条\">第二条</a></li>"));
}

#[test]
fn attachments_are_copied_and_relative_links_rewritten() {
    let run = Site::fixture("basic").build().ok();
    assert!(run.exists("guide/bundle/flow.pdf"));
    assert!(run.exists("guide/bundle/pic.svg"));
    run.contains(
        "guide/bundle/index.html",
        "href=\"../../guide/bundle/flow.pdf\"",
    );
    run.contains(
        "guide/bundle/index.html",
        "src=\"../../guide/bundle/pic.svg\"",
    );
}

#[test]
fn sections_breadcrumbs_menus_tags_and_sitemap() {
    let run = Site::fixture("basic").build().ok();
    let section = run.read("guide/index.html");
    let measure_at = section.find("测试县稳评实施办法").unwrap();
    let levels_at = section.find("风险等级").unwrap();
    assert!(measure_at < levels_at, "weight 1 lists before weight 2");
    run.contains(
        "guide/levels/index.html",
        "<li aria-current=\"page\">风险等级</li>",
    );
    run.contains(
        "guide/levels/index.html",
        "aria-current=\"page\" class=\"active\">工作指引</a>",
    );
    run.contains("tags/风险/index.html", "风险等级");
    run.contains("tags/index.html", "等级");
    run.contains(
        "sitemap.xml",
        "<loc>https://www.example.gov.cn/wenping/guide/levels/</loc><lastmod>2024-05-01</lastmod>",
    );
    // The 404 page is served from any depth, so it links from the base path.
    run.contains("404.html", "href=\"/wenping/css/portal.css\"");
}

#[test]
fn site_templates_override_the_theme() {
    let run = Site::fixture("basic").build().ok();
    run.contains("index.html", "站点覆盖的页脚：测试县委政法委");
}

#[test]
fn base_path_flag_overrides_config() {
    let site = Site::fixture("basic");
    let run = site.portal(&["build", "--base-path", "/other/"]).ok();
    run.contains("sitemap.xml", "https://www.example.gov.cn/other/guide/");
}

#[test]
fn two_builds_in_two_folders_are_byte_identical() {
    let a = Site::sample();
    // The second copy sits one folder deeper, under a different name.
    let b = Site::empty();
    let b_root = b.root().join("另一个目录/site");
    crate::support::site::copy_tree(a.root(), &b_root);
    let ra = a.build().ok();
    let rb = portal(&["build".as_ref(), "--root".as_ref(), b_root.as_os_str()]);
    assert!(
        rb.status.success(),
        "{}",
        String::from_utf8_lossy(&rb.stderr)
    );
    let ta = snapshot_tree(&ra.out);
    let tb = snapshot_tree(&b_root.join("public"));
    // The whole site: pages, forms' .docx files, the search index, static files.
    for kind in [".docx", "search/", ".css", ".js", "sitemap.xml", "404.html"] {
        assert!(
            ta.iter().any(|(p, _)| p.contains(kind)),
            "the sample output has no {kind} file"
        );
    }
    assert!(ta.iter().filter(|(p, _)| p.ends_with(".docx")).count() >= 10);
    assert_eq!(
        ta.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        tb.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((pa, ba), (_, bb)) in ta.iter().zip(&tb) {
        assert!(ba == bb, "{pa} differs between builds in two folders");
    }
    // No build folder leaks into the output.
    let (root_a, root_b) = (a.root().display().to_string(), b_root.display().to_string());
    for (p, bytes) in &ta {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&root_a), "{p} names the build folder");
    }
    for (p, bytes) in &tb {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&root_b), "{p} names the build folder");
    }
    let _ = rb;
    let again = a.build().ok();
    assert!(
        snapshot_tree(&again.out) == ta,
        "a rebuild in place differs"
    );
}

#[test]
fn every_mistake_is_reported_sorted_with_positions() {
    let run = Site::fixture("broken-basic").build().failed();
    insta::assert_snapshot!("broken_basic_diagnostics", run.stable_stderr());
}

#[test]
fn unknown_config_keys_are_named_with_the_expected_ones() {
    let run = Site::fixture("broken-config").check().failed();
    insta::assert_snapshot!("broken_config_diagnostics", run.stable_stderr());
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("basic");
    let first = site.build().ok();
    let before = snapshot_tree(&first.out);
    let site = site.file(
        "content/guide/levels.md",
        "---\ntitle: 坏\n---\n\n[x](@/none.md)\n",
    );
    let second = site.build().failed();
    assert!(
        second
            .stderr
            .contains("content/guide/levels.md:5:1: error: broken link `@/none.md`"),
        "{}",
        second.stderr
    );
    assert!(
        snapshot_tree(&second.out) == before,
        "public/ changed after a failed build"
    );
}

#[test]
fn check_writes_nothing_and_fails_on_errors() {
    let site = Site::fixture("basic");
    let run = site.check().ok();
    assert!(!run.out.exists());
    assert!(
        run.stderr.lines().last().unwrap().starts_with("checked "),
        "{}",
        run.stderr
    );
    let site = site.file("content/x.md", "---\ntitle: x\nweight: a\n---\n");
    site.check().failed();
}

fn portal(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn new_site_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("county");
    let out = portal(&["new".as_ref(), target.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let build = portal(&["build".as_ref(), "--root".as_ref(), target.as_os_str()]);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "no warnings expected: {stderr}");
    assert!(target
        .join("public/measures/implementation/index.html")
        .exists());
    let again = portal(&["new".as_ref(), target.as_os_str()]);
    assert!(!again.status.success(), "new refuses a non-empty folder");
}

#[test]
fn output_folder_may_not_be_the_site_or_its_sources() {
    let site = Site::minimal().file("content/guide/a.md", "---\ntitle: a\n---\n");
    let root = site.root().display().to_string();
    let content_link = site.root().join("c");
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.root().join("content"), &content_link).unwrap();
    let through_link = format!("{}/guide", content_link.display());
    let mut outs = vec![
        ".",
        "./",
        "..",
        "content",
        "content/guide",
        "content/new",
        "/",
        &root,
    ];
    if cfg!(unix) {
        outs.push(&through_link);
    }
    for out in outs {
        let run = site.portal(&["build", "--output", out]).failed();
        assert!(
            run.stderr.contains("refusing to use"),
            "{out}: {}",
            run.stderr
        );
    }
    assert!(site.root().join("content/_index.md").exists());
    assert!(site.root().join("content/guide/a.md").exists());
    assert!(!site.root().join("content/new").exists());
}

#[test]
fn bom_crlf_and_non_utf8_sources() {
    let site = Site::minimal();
    site.write(
        "content/bom.md",
        "\u{feff}---\r\ntitle: 带BOM\r\n---\r\n\r\n正文。\r\n".as_bytes(),
    );
    let run = site.build().ok();
    run.contains("bom/index.html", "<h1>带BOM</h1>");
    site.write(
        "content/gbk.md",
        b"---\ntitle: x\n---\n\n\xd5\xfd\xce\xc4\n",
    );
    let run = site.build().failed();
    assert!(
        run.stderr
            .contains("content/gbk.md:5:1: error: the file is not valid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn names_differing_only_in_case_collide() {
    let site = Site::minimal()
        .file("content/Guide.md", "---\ntitle: a\n---\n")
        .file("content/guide.md", "---\ntitle: b\n---\n");
    let run = site.build().failed();
    assert!(run.stderr.contains("only in letter case"), "{}", run.stderr);
}

#[test]
fn empty_content_is_a_clear_error() {
    let site = Site::empty().file("portal.yaml", "title: 空\n");
    std::fs::create_dir_all(site.root().join("content")).unwrap();
    let run = site.build().failed();
    assert!(
        run.stderr
            .contains("content: error: `content/` has no Markdown files"),
        "{}",
        run.stderr
    );
}

/// The `<main>` element of an output page, for golden snapshots that ignore the site chrome.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn measure_page_html_golden() {
    let run = Site::fixture("basic").build().ok();
    insta::assert_snapshot!(
        "basic_measure_main",
        main_of(&run.read("guide/measure/index.html"))
    );
}

#[test]
fn section_page_html_golden() {
    let run = Site::fixture("basic").build().ok();
    insta::assert_snapshot!("basic_section_main", main_of(&run.read("guide/index.html")));
}
