use super::*;
use crate::text::parse_chinese_number;

fn parse(src: &str, articles: bool) -> (Document, Vec<Diagnostic>) {
    parse_markdown(
        "t.md",
        src,
        0,
        "dir",
        ParseOptions {
            articles,
            ..ParseOptions::default()
        },
    )
}

#[test]
fn chinese_heading_anchors_are_readable_and_unique() {
    assert_eq!(anchor_id("一、评估范围"), "一评估范围");
    assert_eq!(anchor_id("第一章　总则"), "第一章-总则");
    assert_eq!(anchor_id("Risk Matrix (5×5)"), "risk-matrix-55");
    assert_eq!(anchor_id("？！"), "section");
    let (d, _) = parse("## 说明\n\n## 说明\n\n## Q&A {#qa}\n", false);
    let ids: Vec<_> = d.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["说明", "说明-2", "qa"]);
}

#[test]
fn chinese_numbers() {
    for (s, n) in [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("三十五", 35),
        ("一百零五", 105),
        ("两百", 200),
    ] {
        assert_eq!(parse_chinese_number(s), Some(n), "{s}");
    }
    assert_eq!(parse_chinese_number("甲"), None);
}

#[test]
fn paragraph_articles_get_anchors() {
    let (d, diags) = parse("## 第一章　总则\n\n第一条　为了规范。\n\n第二条　本办法适用于[全县](#第一条)。\n\n第四条　跳号。\n", true);
    assert_eq!(
        d.articles.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["第一条", "第二条", "第四条"]
    );
    assert_eq!(d.articles[1].excerpt, "本办法适用于全县。");
    assert_eq!(d.articles[0].heading, Some(0));
    assert!(d.anchors.contains("第二条"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.contains("第四条 follows 第二条"));
    let html = render_html(&d, |l| match &l.target {
        LinkTarget::SamePage { anchor } => format!("#{anchor}"),
        _ => String::new(),
    });
    assert!(html.contains("<p class=\"article\" id=\"第一条\"><span class=\"article-no\">第一条</span>　为了规范。</p>"), "{html}");
    assert!(
        html.contains("<a href=\"#%E7%AC%AC%E4%B8%80%E6%9D%A1\">全县</a>"),
        "{html}"
    );
}

#[test]
fn links_are_classified_with_positions() {
    let (d, diags) = parse("x\n\n见[办法](@/measures/a.md#第三条)和[图](img/a.png)、[外](https://a.gov.cn)、[坏](javascript:alert(1))\n", false);
    assert_eq!(d.links.len(), 3);
    assert_eq!(
        d.links[0].target,
        LinkTarget::Content {
            path: "measures/a.md".into(),
            anchor: Some("第三条".into())
        }
    );
    assert_eq!((d.links[0].line, d.links[0].col), (3, 2));
    assert_eq!(
        d.links[1].target,
        LinkTarget::Asset {
            path: "dir/img/a.png".into()
        }
    );
    assert_eq!(diags.len(), 1);
    assert!(diags[0]
        .message
        .contains("`javascript:` links are not allowed"));
}

#[test]
fn unclosed_fences_are_errors() {
    let (_, diags) = parse("a\n\n```text\ncode\n", false);
    assert_eq!(diags.len(), 1);
    assert_eq!((diags[0].line, diags[0].col), (3, 1));
    assert!(diags[0].message.contains("never closed"));
    for closed in [
        "```\ncode\n```\n",
        "````md\n```\n````\n",
        "~~~\nx\n~~~~\n",
        "> ```\n> x\n> ```\n",
        "- ```\n  x\n  ```\n",
        "```\n```",
    ] {
        let (_, diags) = parse(closed, false);
        assert!(diags.is_empty(), "{closed:?}: {diags:?}");
    }
    let (_, diags) = parse("````\nx\n```\n", false);
    assert_eq!(diags.len(), 1, "a shorter fence does not close");
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}x\n", "> ".repeat(MAX_NESTING));
    assert!(parse(&ok, false).1.is_empty());
    let deep = format!("{}x\n", "- ".repeat(MAX_NESTING + 50));
    let (_, diags) = parse(&deep, false);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].col, 2 * MAX_NESTING + 1);
}

#[test]
fn heading_attributes_cannot_add_handlers() {
    let (d, diags) = parse("# 标题 {#t .c onclick=alert(1) style=x}\n", false);
    let html = render_html(&d, |_| String::new());
    assert!(
        !html.contains("onclick") && !html.contains("style"),
        "{html}"
    );
    assert!(
        html.contains("id=\"t\"") && html.contains("class=\"c\""),
        "{html}"
    );
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].message.contains("`onclick`, `style`"),
        "{}",
        diags[0].message
    );
}

#[test]
fn raw_html_is_dropped_with_a_warning() {
    let (d, diags) = parse("a <script>alert(1)</script> b\n", false);
    let html = render_html(&d, |_| String::new());
    assert!(!html.contains("<script"), "{html}");
    assert_eq!(diags[0].severity, crate::diagnostic::Severity::Warning);
}

#[derive(Debug)]
struct Upper(String, Vec<Link>);
impl Embed for Upper {
    fn links(&self) -> Vec<Link> {
        self.1.clone()
    }
    fn plain_text(&self) -> String {
        self.0.clone()
    }
    fn render(&self, hrefs: &[String]) -> String {
        format!(
            "<div class=\"upper\" data-href=\"{}\">{}</div>",
            hrefs.join(","),
            self.0.to_uppercase()
        )
    }
}
fn parse_upper(src: &str, cx: &EmbedContext<'_>) -> Result<Box<dyn Embed>, Vec<Diagnostic>> {
    if src.contains("bad") {
        return Err(vec![Diagnostic::error(
            cx.path,
            cx.first_line,
            1,
            "bad block",
        )]);
    }
    let link = Link {
        target: LinkTarget::Content {
            path: "x.md".into(),
            anchor: None,
        },
        line: cx.first_line,
        col: 1,
        raw: "@/x.md".into(),
    };
    Ok(Box::new(Upper(src.trim().to_string(), vec![link])))
}

#[test]
fn fenced_blocks_go_to_their_embed_parser() {
    static EMBEDS: &[(&str, EmbedParser)] = &[("upper", parse_upper)];
    let opts = ParseOptions {
        embeds: EMBEDS,
        ..ParseOptions::default()
    };
    let src = "[a](#x)\n\n```upper\nabc\n```\n\n```rust\nfn x() {}\n```\n\n```upper\nbad\n```\n";
    let (d, diags) = parse_markdown("t.md", src, 0, "", opts);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        (diags[0].line, diags[0].message.as_str()),
        (12, "bad block")
    );
    assert_eq!(d.links.len(), 2);
    assert_eq!(d.links[1].line, 4);
    assert!(d.plain_text.contains("abc"));
    let html = render_html(&d, |l| l.raw.clone());
    assert!(
        html.contains("<div class=\"upper\" data-href=\"@/x.md\">ABC</div>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"#x\">a</a>"), "{html}");
    assert!(html.contains("<code class=\"language-rust\">"), "{html}");
}

#[test]
fn relative_md_links_are_content_links() {
    assert_eq!(
        classify_link("../b.md#x", "a/c"),
        Ok(LinkTarget::Content {
            path: "a/b.md".into(),
            anchor: Some("x".into())
        })
    );
    assert!(classify_link("../../../x.md", "a").is_err());
}
