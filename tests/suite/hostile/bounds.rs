//! Bounded time and clear errors on pathological content: nesting, cycles, repetition, numbering, encodings.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

#[allow(unused_imports)]
use super::*;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// Tighter than [`LIMIT`]: each of these inputs took seconds to minutes before (or never ended),
/// and takes well under a second now, also in a debug build on shared cores.
const QUICK: Duration = Duration::from_secs(30);

/// `portal build` on a site that must fail, within [`QUICK`]; the previous `public/` intact.
fn fails_quickly(site: &Site) -> String {
    super::fails_cleanly_within(site, QUICK)
}

/// A `portal serve` process on a free port, its stderr lines on a channel. Killed when dropped.
struct Serving {
    child: std::process::Child,
    lines: Receiver<String>,
    addr: SocketAddr,
    /// Everything printed so far, for failure messages.
    seen: Vec<String>,
}

impl Serving {
    fn start(site: &Site) -> Serving {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run portal serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut s = Serving {
            child,
            lines,
            addr: "127.0.0.1:1".parse().unwrap(),
            seen: Vec::new(),
        };
        let line = s.expect("serving at ", QUICK);
        let url = line["serving at ".len()..]
            .split_whitespace()
            .next()
            .unwrap();
        let host = url.trim_start_matches("http://").split('/').next().unwrap();
        s.addr = host.parse().expect("serve prints its address");
        s
    }

    /// Waits for a line starting with `prefix`; fails when the server died or `limit` passed.
    fn expect(&mut self, prefix: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let left = limit.saturating_sub(start.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => {
                    let status = self.child.try_wait().unwrap();
                    panic!(
                        "no line `{prefix}…` within {limit:?} (server exit status: {status:?}):\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// `GET path`: (status, body); fails if the answer takes more than 10 s.
    fn get(&self, path: &str) -> (u16, String) {
        crate::support::http::get(self.addr, path, Duration::from_secs(10))
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "portal serve stopped:\n{}",
            self.seen.join("\n")
        );
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// Item 2: YAML nested without bound.

fn deep_flow(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn yaml_nested_100000_deep_is_refused_before_parsing() {
    let site = Site::minimal();
    // 200 KB of flow sequences under a key that takes any value: minutes in the YAML parser before.
    site.write(
        "content/flow.md",
        format!("---\ntitle: 深\nextra:\n  x: {}\n---\n", deep_flow(100_000)).as_bytes(),
    );
    // Flow mappings, and block sequences on one line (`- - - …`).
    site.write(
        "content/maps.md",
        format!(
            "---\ntitle: 深\nextra:\n  x: {}{}\n---\n",
            "{a: ".repeat(20_000),
            "}".repeat(20_000)
        )
        .as_bytes(),
    );
    site.write(
        "content/block.md",
        format!(
            "---\ntitle: 深\nextra:\n  x:\n    {}a\n---\n",
            "- ".repeat(50_000)
        )
        .as_bytes(),
    );
    // An unclosed one, behind an anchor, in a list of a kind's own front matter.
    site.write(
        "content/open.md",
        format!("---\ntitle: 深\ntags: &t {}\n---\n", "[".repeat(30_000)).as_bytes(),
    );
    // Nesting that front matter really uses stays fine.
    site.write(
        "content/fine.md",
        "---\ntitle: 浅\nextra:\n  a: {b: [1, [2, {c: 3}]]}\n  d:\n    - e: [\"[[[[\", '{{']\n---\n".as_bytes(),
    );
    let text = fails_quickly(&site);
    assert!(!text.contains("aliases"), "{text}");
    assert!(!text.contains("fine.md"), "{text}");
    insta::assert_snapshot!("deep_yaml", text);
}

#[test]
fn portal_yaml_nested_deep_is_refused_before_parsing() {
    let site = Site::minimal().file(
        "portal.yaml",
        &format!("title: 测试站点\nextra:\n  x: {}\n", deep_flow(100_000)),
    );
    let text = fails_quickly(&site);
    assert!(
        text.starts_with("portal.yaml:3:"),
        "positioned in portal.yaml: {text}"
    );
    insta::assert_snapshot!("deep_yaml_config", text);
}

#[test]
fn serve_recovers_from_deep_yaml_once_the_file_is_fixed_or_deleted() {
    let site = Site::minimal().file(
        "content/guide.md",
        "---\ntitle: 指南\n---\n\n原来的正文。\n",
    );
    let mut serve = Serving::start(&site);
    assert_eq!(serve.get("/guide/").0, 200);
    let deep = format!("---\ntitle: 深\nextra:\n  x: {}\n---\n", deep_flow(100_000));
    site.write("content/deep.md", deep.as_bytes());
    let line = serve.expect("content/deep.md:4:", QUICK);
    assert!(line.contains("YAML nested 100002 deep"), "{line}");
    serve.expect("rebuild failed: ", QUICK);
    let (status, body) = serve.get("/guide/");
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("原来的正文"));
    // Fixed: served again.
    site.write(
        "content/deep.md",
        "---\ntitle: 不深了\n---\n\n修好了。\n".as_bytes(),
    );
    serve.expect("rebuilt ", QUICK);
    assert!(serve.get("/deep/").1.contains("修好了"));
    // Broken again, then deleted: served again.
    site.write("content/deep.md", deep.as_bytes());
    serve.expect("rebuild failed: ", QUICK);
    std::fs::remove_file(site.root().join("content/deep.md")).unwrap();
    serve.expect("rebuilt ", QUICK);
    assert_eq!(serve.get("/deep/").0, 404);
    assert_eq!(serve.get("/guide/").0, 200);
    serve.assert_alive();
}

// Item 3: templates that include, extend or import themselves.

#[test]
fn template_cycles_are_positioned_errors_not_a_crash() {
    let site = Site::minimal()
        .file("templates/partials/loop.html", "<p>\n  {% include \"partials/loop.html\" %}</p>\n")
        .file("templates/partials/ping.html", "{% include \"partials/pong.html\" %}\n")
        .file("templates/partials/pong.html", "<div>\n{%- include [\"missing.html\", \"partials/ping.html\"] ignore missing -%}\n</div>\n")
        .file("templates/a.html", "{% extends \"b.html\" %}\n")
        .file("templates/b.html", "{% extends \"a.html\" %}\n")
        .file("templates/m1.html", "{% import \"m2.html\" as m2 %}\n")
        .file("templates/m2.html", "{% import \"m1.html\" as m1 %}\n")
        // Commented out or raw: not a cycle.
        .file("templates/partials/note.html", "{# {% include \"partials/note.html\" %} #}{% raw %}{% include \"partials/note.html\" %}{% endraw %}\n");
    let text = fails_cleanly(&site);
    assert!(!text.contains("note.html"), "{text}");
    insta::assert_snapshot!("template_cycles", text);
}

#[test]
fn a_macro_that_always_calls_itself_is_an_error_and_a_recursive_one_is_fine() {
    let theme = std::fs::read_to_string(
        crate::support::site::repo_root().join("themes/default/templates/page.html"),
    )
    .unwrap();
    let site = Site::minimal()
        .file(
            "templates/macros.html",
            "{% macro tree(n) %}{% if n > 0 %}<i>{{ self::tree(n=n - 1) }}</i>{% endif %}{% endmacro tree %}\n\n{% macro forever(n) %}<b>{{ self::again(n=n) }}</b>{% endmacro forever %}\n{% macro again(n) %}{{ self::forever(n=n) }}{% endmacro again %}\n",
        )
        .file(
            "templates/page.html",
            &theme.replacen("{% extends \"base.html\" %}", "{% extends \"base.html\" %}{% import \"macros.html\" as m %}", 1),
        )
        .file("content/p.md", "---\ntitle: 页\n---\n");
    let text = fails_cleanly(&site);
    assert!(!text.contains("`tree`"), "{text}");
    insta::assert_snapshot!("endless_macros", text);
    // Only the recursion that stops: builds.
    site.write(
        "templates/macros.html",
        b"{% macro tree(n) %}{% if n > 0 %}<i>{{ self::tree(n=n - 1) }}</i>{% endif %}{% endmacro tree %}\n",
    );
    site.portal_within(&["build"], QUICK).ok();
}

#[test]
fn serve_keeps_running_through_a_template_cycle_and_recovers() {
    let site = Site::minimal().file(
        "content/guide.md",
        "---\ntitle: 指南\n---\n\n原来的正文。\n",
    );
    let footer = std::fs::read_to_string(
        crate::support::site::repo_root().join("themes/default/templates/partials/footer.html"),
    )
    .unwrap();
    // The folder exists before the server watches it (a folder made later may be missed by the
    // watcher, which is no concern of this test).
    site.write("templates/partials/footer.html", footer.as_bytes());
    let mut serve = Serving::start(&site);
    site.write(
        "templates/partials/footer.html",
        format!("{footer}{{% include \"partials/footer.html\" %}}\n").as_bytes(),
    );
    let line = serve.expect("templates/partials/footer.html:", QUICK);
    assert!(line.contains("includes itself"), "{line}");
    serve.expect("rebuild failed: ", QUICK);
    let (status, body) = serve.get("/guide/");
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("原来的正文"));
    site.write(
        "templates/partials/footer.html",
        format!("{footer}<p>新页脚</p>\n").as_bytes(),
    );
    serve.expect("rebuilt ", QUICK);
    assert!(serve.get("/guide/").1.contains("新页脚"));
    serve.assert_alive();
}

// Item 7: many headings with the same text.

#[test]
fn twenty_thousand_equal_headings_build_in_linear_time() {
    let site = Site::minimal();
    let n = 20_000;
    site.write(
        "content/same.md",
        format!("---\ntitle: 同名标题\n---\n\n{}", "## 标题\n\n".repeat(n)).as_bytes(),
    );
    let start = Instant::now();
    let run = site.portal_within(&["build"], QUICK).ok();
    let took = start.elapsed();
    let html = run.read("same/index.html");
    assert!(html.contains("id=\"标题\""));
    assert!(html.contains("id=\"标题-2\""));
    assert!(html.contains(&format!("id=\"标题-{n}\"")));
    assert!(!html.contains(&format!("id=\"标题-{}\"", n + 1)));
    eprintln!("{n} equal headings: built in {took:?}");
}

#[test]
fn repeated_heading_ids_are_unchanged_for_ordinary_pages() {
    let site = Site::minimal().file(
        "content/p.md",
        "---\ntitle: 页\n---\n\n## 概述\n\n## 概述\n\n## 概述-2\n\n## 概述\n\n## 其他 {#概述-4}\n\n## 概述\n\n## 一、评估范围\n",
    );
    let run = site.portal_within(&["build"], QUICK).ok();
    let html = run.read("p/index.html");
    let ids: Vec<&str> = html
        .split("<h2 id=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap())
        .filter(|id| *id != "toc-title")
        .collect();
    // The rule of the README: repeats get -2, -3 … in document order, skipping ids already taken.
    assert_eq!(
        ids,
        [
            "概述",
            "概述-2",
            "概述-2-2",
            "概述-3",
            "概述-4",
            "概述-5",
            "一评估范围"
        ]
    );
}

// Item 9: 第二条之一 and 第12条.

const MEASURE: &str = "---\nkind: measure\ntitle: 办法\n---\n\n第一条　总则。\n\n第二条　范围。\n\n第二条之一　修订时增加的条款。\n\n第二条之二　又增加的条款。\n\n第三条　见[第二条之一](#第二条之一)、[第十二条](@/other.md#第十二条)和[第12条](@/other.md#第12条)。\n";

#[test]
fn inserted_articles_and_arabic_numbers_are_articles_of_their_own() {
    let site = Site::minimal().file("content/m.md", MEASURE).file(
        "content/other.md",
        "---\nkind: measure\ntitle: 另一办法\n---\n\n第十一条　甲。\n\n第12条　乙。\n\n第十三条　见[本办法第十二条](#第十二条)。\n",
    );
    let run = site.portal_within(&["build"], QUICK).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let m = run.read("m/index.html");
    for id in ["第一条", "第二条", "第二条之一", "第二条之二", "第三条"] {
        assert!(m.contains(&format!("id=\"{id}\"")), "{id}:\n{m}");
    }
    // Same-page and cross-page links land on the article's id as written in its measure.
    assert_eq!(
        hrefs(&m, "#"),
        [
            "#main",
            "#第二条之一",
            "../other/index.html#第12条",
            "../other/index.html#第12条",
            "#top"
        ]
    );
    let other = run.read("other/index.html");
    assert!(other.contains("id=\"第12条\""));
    assert!(
        hrefs(&other, "#").contains(&"#第12条".to_string()),
        "{other}"
    );
}

/// The `href`s of a page that contain `needle`, percent-decoded.
fn hrefs(html: &str, needle: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|r| percent_decode(r.split('"').next().unwrap()))
        .filter(|h| h.contains(needle))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            s.get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
        ) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_same_article_number_written_two_ways_is_a_duplicate() {
    let site = Site::minimal().file(
        "content/m.md",
        "---\nkind: measure\ntitle: 办法\n---\n\n第十一条　甲。\n\n第十二条　乙。\n\n第12条　丙。\n\n第二条之一　丁。\n\n第二条之一　戊。\n",
    );
    insta::assert_snapshot!("article_numbers", fails_quickly(&site));
}

// Item 12: tags that would share one URL.

#[test]
fn tags_differing_in_case_or_width_are_one_tag() {
    let site = Site::minimal()
        .file(
            "content/a.md",
            "---\ntitle: 甲\ntags: [PPP项目, 政策]\n---\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: 乙\ntags: [ppp项目, 政策]\n---\n",
        )
        .file(
            "content/c.md",
            "---\ntitle: 丙\ntags: [ＰＰＰ项目, PPP项目]\n---\n",
        );
    let run = site.portal_within(&["build"], QUICK);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let tags: Vec<String> = std::fs::read_dir(run.out.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(tags.len(), 3, "ppp项目, 政策 and index.html: {tags:?}");
    let term = run.read("tags/ppp项目/index.html");
    for title in ["甲", "乙", "丙"] {
        assert!(
            term.contains(title),
            "{title} missing from the merged tag:\n{term}"
        );
    }
    let c = run.read("c/index.html");
    assert_eq!(
        c.matches(">PPP项目<").count(),
        1,
        "listed once, spelled as first written:\n{c}"
    );
    // The warnings only: the summary line's byte count moves with every theme change.
    let warnings: Vec<String> = stable(&run, &site)
        .lines()
        .filter(|l| !l.starts_with("built "))
        .map(String::from)
        .collect();
    insta::assert_snapshot!("tag_spellings", warnings.join("\n"));
}

#[test]
fn tags_that_cannot_be_merged_name_both_files() {
    let site = Site::minimal()
        .file("content/a.md", "---\ntitle: 甲\ntags: [A/B]\n---\n")
        .file("content/b.md", "---\ntitle: 乙\ntags: [A B, ……]\n---\n")
        .file("content/c.md", "---\ntitle: 丙\ntags: \"——\"\n---\n");
    let text = fails_quickly(&site);
    assert!(
        text.contains("content/b.md:3:1: error: ") && text.contains("`content/a.md`"),
        "{text}"
    );
    insta::assert_snapshot!("tag_collisions", text);
}

// Item 19: every wrong field of a file in one run.

#[test]
fn every_wrong_field_of_a_file_is_reported() {
    let site = Site::empty()
        .file(
            "portal.yaml",
            "title: 测试\ntheem: x\nfooter:\n  phone: [1]\n  icpp: x\n  badges:\n    - image: a.png\n      alt: [x]\n    - image: b.png\n      alts: y\nmenus:\n  main:\n    - name: 首页\n      page: \"@/_index.md\"\n      wieght: 1\nsearch:\n  enabled: 是\n",
        )
        .file("content/_index.md", "---\ntitle: 首页\n---\n")
        .file(
            "content/a.md",
            "---\ntitle: [甲]\nweight: 很重\nautor: 张三\ndraft: 是\ntags:\n  a: 1\ntoc: 1\n---\n",
        )
        .file(
            "content/f.md",
            "---\nkind: measure\ntitle: 办法\nstatus: 有效\nissuer: [县政府]\nsort_by: 随便\n---\n",
        );
    let text = fails_quickly(&site);
    let count = |file: &str| text.lines().filter(|l| l.starts_with(file)).count();
    assert_eq!(count("content/a.md:"), 6, "{text}");
    assert_eq!(count("portal.yaml:"), 8, "{text}");
    assert!(count("content/f.md:") >= 2, "{text}");
    insta::assert_snapshot!("every_wrong_field", text);
}

// Item 20: GBK where UTF-8 is expected.

/// 测试站点 in GBK.
const GBK_NAME: &[u8] = b"\xb2\xe2\xca\xd4\xd5\xbe\xb5\xe3";

#[test]
fn a_gbk_portal_yaml_is_positioned_with_a_hint() {
    let site = Site::minimal();
    site.write(
        "portal.yaml",
        &[b"base_path: /\ntitle: ".as_slice(), GBK_NAME, b"\n"].concat(),
    );
    let text = fails_quickly(&site);
    assert!(text.starts_with("portal.yaml:2:8: error: "), "{text}");
    assert!(
        text.contains("GBK/GB18030") && text.contains("save it as UTF-8"),
        "{text}"
    );
    insta::assert_snapshot!("gbk_config", text);
}

#[test]
fn a_gbk_scope_batch_file_is_positioned_with_a_hint() {
    let site = Site::minimal();
    // 开发区电镀 in GBK, on line 2.
    site.write(
        "batch.txt",
        b"# one per line\n\xbf\xaa\xb7\xa2\xc7\xf8\xb5\xe7\xb6\xc6\n",
    );
    let batch = site.root().join("batch.txt");
    let run = site.portal_within(&["scope", "--batch", batch.to_str().unwrap()], QUICK);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let text = stable(&run, &site);
    assert!(text.starts_with("<site>/batch.txt:2:1: error: "), "{text}");
    insta::assert_snapshot!("gbk_scope_batch", text);
}

// Item 21: heading ids the theme already uses.

#[test]
fn heading_ids_the_theme_uses_are_errors() {
    let site = Site::minimal()
        .file(
            "content/ids.md",
            "---\ntitle: 编号\n---\n\n## 首页 {#main}\n\n## Top\n\n## 搜索 {#site-search-q}\n\n## 通知 {#county-notice}\n\n## 表 {#form-group-1}\n\n## 普通 {#main-1}\n",
        )
        // A site template's own id counts too: the list comes from the templates.
        .file(
            "templates/partials/site_notice.html",
            "<p id=\"county-notice\">本站试运行。</p>\n",
        );
    let text = fails_quickly(&site);
    // `form-group-N` is an id of the forms list only, not of this page's template.
    assert!(
        !text.contains("#form-group") && !text.contains("ids.md:15:"),
        "{text}"
    );
    insta::assert_snapshot!("theme_ids", text);
}
