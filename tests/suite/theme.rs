//! The default theme on the built sample site: the home page around the four jobs, branding from
//! `portal.yaml` (no template edited), government article furniture, and the mistakes a site can
//! make in its branding reported at their line.

use crate::support::site::Site;

#[test]
fn home_page_is_built_around_the_four_jobs_and_the_newest_documents() {
    let run = Site::sample().build().ok();
    let home = run.read("index.html");
    // The scope box: a plain GET form to the lookup page, which reads ?q=.
    assert!(
        home.contains(
            "<form data-scope-box action=\"scope/lookup/index.html\" method=\"get\" role=\"search\""
        ),
        "{home}"
    );
    assert!(home.contains("<label for=\"scope-box-q\">"));
    assert!(home.contains("<input id=\"scope-box-q\" name=\"q\" type=\"search\""));
    for (job, href) in [
        ("下载打印表格", "forms/index.html"),
        ("评估流程", "procedure/index.html"),
        ("风险矩阵工作表", "worksheet/index.html"),
    ] {
        let at = home
            .find(&format!("<span class=\"job-title\">{job}</span>"))
            .unwrap_or_else(|| panic!("job {job} on the home page"));
        let link = home[..at].rfind("<a class=\"job\" href=\"").unwrap();
        assert!(
            home[link..at].contains(&format!("href=\"{href}\"")),
            "{job} links to {href}: {}",
            &home[link..at]
        );
    }
    assert!(home.contains("19 张标准表格"), "the forms count");
    // Newest measures and notices, newest first, each list with its section to see more.
    let measures = &home[home.find("id=\"home-measures-title\"").unwrap()..];
    let first = measures
        .find("清河县重大事项社会稳定风险评估实施办法")
        .unwrap();
    let older = measures
        .find("清河县重大事项社会稳定风险评估暂行办法")
        .unwrap();
    assert!(first < older, "newest measure first");
    assert!(measures.contains("href=\"measures/index.html\">更多政策文件"));
    let notices = &home[home.find("id=\"home-notices-title\"").unwrap()..];
    assert!(notices.contains("关于报送2025年度重大事项社会稳定风险评估计划的通知"));
    assert!(notices.contains("href=\"notices/index.html\">更多通知公告"));
    assert!(
        !notices[..notices.find("</section>").unwrap()].contains("实施办法</a><time"),
        "measures are not listed as notices"
    );
}

#[test]
fn branding_comes_from_portal_yaml() {
    let run = Site::sample().build().ok();
    let page = run.read("guide/risk-levels/index.html");
    for needle in [
        // header
        "<img class=\"logo\" src=\"../../images/logo.svg\" alt=\"\"",
        "<span class=\"brand-tagline\">重大事项社会稳定风险评估政策发布与工作服务</span>",
        "<p class=\"topbar-org\">清河县　县委政法委（维稳办）</p>",
        // footer
        "<dt>主办单位</dt><dd>中共清河县委政法委员会</dd>",
        "<dt>政府网站标识码</dt><dd>0000000000</dd>",
        "<dt>ICP备案号</dt><dd><a href=\"https://beian.miit.gov.cn/\">某ICP备00000000号</a></dd>",
        "<dt>邮编</dt><dd>000000</dd>",
        "版权所有：中共清河县委政法委员会",
        "<a href=\"https://www.gov.cn/\">中国政府网</a>",
        // a footer link to a page of the site, relative like every link
        "<a href=\"../../faq/index.html\">常见问题</a>",
        "<img src=\"../../images/badge-party-gov.svg\" alt=\"党政机关网站标识（示例）\">",
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
    assert!(run.exists("images/logo.svg"));
}

#[test]
fn articles_carry_the_government_page_tools() {
    let run = Site::sample().build().ok();
    let measure = run.read("measures/implementation/index.html");
    for needle in [
        "<caption>文件信息</caption>",
        "<th scope=\"row\">索引号</th>",
        "<th scope=\"row\">发布机构</th>",
        "<th scope=\"row\">成文日期</th>",
        "<th scope=\"row\">文号</th>",
        "<th scope=\"row\">主题词</th>",
        "【字体",
        "<button type=\"button\" class=\"js-print\">打印</button>】",
        "<a href=\"#top\">返回顶部</a>",
        "<nav class=\"breadcrumbs\" aria-label=\"当前位置\">",
    ] {
        assert!(measure.contains(needle), "missing {needle}");
    }
    assert!(measure.contains("<body id=\"top\""));
}

#[test]
fn branding_mistakes_are_reported_at_their_line() {
    let site = Site::minimal()
        .file(
            "portal.yaml",
            "title: 某县专栏\nlogo: images/missing.svg\nfooter:\n  links:\n    - name: 不存在\n      page: \"@/nope.md\"\n  badges:\n    - image: images/badge.svg\n      alt: \"\"\n",
        )
        .file("static/images/badge.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    let run = site.build().failed();
    let d = run.diagnostics();
    assert!(
        d.iter().any(|l| l.starts_with(
            "portal.yaml:8:1: error: footer badge `images/badge.svg` has an empty `alt`"
        )),
        "{d:?}"
    );
    let site = Site::minimal().file(
        "portal.yaml",
        "title: 某县专栏\nlogo: images/missing.svg\nfooter:\n  links:\n    - name: 不存在\n      page: \"@/nope.md\"\n",
    );
    let run = site.build().failed();
    let d = run.diagnostics();
    assert!(
        d.iter().any(|l| l.starts_with("portal.yaml:6:1: error: footer.links entry `不存在` names `@/nope.md`, but there is no `content/nope.md`")),
        "{d:?}"
    );
    let site = Site::minimal().file("portal.yaml", "title: 某县专栏\nlogo: images/missing.svg\n");
    let run = site.build().failed();
    let d = run.diagnostics();
    assert!(
        d.iter().any(|l| l.starts_with("portal.yaml:2:1: error: logo `images/missing.svg` not found: expected a file in the site's `static/` folder")),
        "{d:?}"
    );
}

#[test]
fn a_site_overrides_the_home_template() {
    let run = Site::sample()
        .file(
            "templates/index.html",
            "{% extends \"base.html\" %}{% block main %}<h1>自定义首页</h1>{% if home.procedure %}<a href=\"{{ root }}{{ home.procedure.path }}\">流程</a>{% endif %}{% endblock main %}",
        )
        .build()
        .ok();
    let home = run.read("index.html");
    assert!(home.contains("<h1>自定义首页</h1>"));
    assert!(home.contains("<a href=\"procedure/index.html\">流程</a>"));
    assert!(!home.contains("data-scope-box"));
}

/// 高对比度 is a screen setting: every `html.contrast` rule of the built-in style sheets stands in
/// `@media screen`, so a page prints the same with it on or off (the printed forms once lost their
/// grid lines to a print rule that painted every element white).
#[test]
fn high_contrast_rules_are_for_the_screen_only() {
    let dir = crate::support::site::repo_root().join("themes/default/static/css");
    let mut outside = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let css = std::fs::read_to_string(&path).unwrap();
        // Comments out, then walk the blocks keeping the at-rule preludes that enclose each rule.
        let mut text = String::new();
        let mut rest = css.as_str();
        while let Some(i) = rest.find("/*") {
            text.push_str(&rest[..i]);
            rest = &rest[i + rest[i..].find("*/").unwrap() + 2..];
        }
        text.push_str(rest);
        let mut stack: Vec<String> = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices() {
            match c {
                '{' => {
                    let prelude = text[start..i].trim().to_string();
                    if prelude.contains("html.contrast")
                        && !stack.iter().any(|p| p.starts_with("@media screen"))
                    {
                        let name = path.file_name().unwrap().to_string_lossy().into_owned();
                        outside.push(format!("{name}: {prelude}"));
                    }
                    stack.push(prelude);
                    start = i + 1;
                }
                '}' => {
                    stack.pop();
                    start = i + 1;
                }
                ';' => start = i + 1,
                _ => {}
            }
        }
    }
    assert!(
        outside.is_empty(),
        "html.contrast rules outside @media screen:\n{}",
        outside.join("\n")
    );
}
