//! Property tests beside the fuzzers (`tests/fuzz/`): the same entry points
//! (`policy_portal::fuzzing`), fed with text built from the pieces each syntax is made of, a bounded
//! number of cases so the suite stays fast. Also replays every committed fuzz seed and every crash
//! input found by fuzzing (`tests/fuzz/regressions/<target>/`), so a fixed crash stays fixed.

use policy_portal::fuzzing;
use proptest::prelude::*;
use std::path::Path;

/// Text made of syntax pieces (fences, bars, arrows, brackets, markup, Chinese numbers…) and
/// arbitrary characters, so that generated inputs reach past the first syntax check.
fn syntax_text(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(pieces).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[a-z0-9一-龥 ]{1,6}",
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|v| v.concat())
}

const COMMON: &[&str] = &[
    "\n",
    "\n",
    " ",
    "  ",
    "\t",
    "\r\n",
    "---\n",
    "...\n",
    ":",
    "：",
    "|",
    "｜",
    "-",
    "?",
    "#",
    ">",
    "*",
    "`",
    "```",
    "~~~",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "\"",
    "'",
    "=",
    "/",
    "\\",
    "@/",
    "../",
    "#第一条",
    "javascript:",
    "<script>",
    "\"><img src=x onerror=alert(1)>",
    "{{ x }}",
    "第一条",
    "第十二条",
    "一、",
    "甲",
    "征地",
    "\u{feff}",
    "\u{0}",
    "\u{200b}",
    "𠀀",
];

const FRONT: &[&str] = &[
    "title: ",
    "kind: ",
    "measure",
    "procedure",
    "form",
    "scope",
    "page",
    "section",
    "slug: ",
    "weight: ",
    "tags: [",
    "date: 2024-01-01",
    "draft: true",
    "&a ",
    "*a",
    "!!str ",
    "- ",
    "{a: b}",
];

const FORM: &[&str] = &[
    "columns: 30 40 100",
    "columns: ",
    "| [事项] | ___ |",
    "___",
    "{span=2}",
    "{rows=2}",
    "{colspan=9}",
    " h=3cm",
    " h=*",
    "header: 编号",
    "sign: 填表人：___",
    "page-break",
    "\u{b}",
    "\u{0}\u{1b}]0;t\u{7}",
    "\u{fffe}",
    "[",
    "]",
    "font: 10.5",
];

const FLOW: &[&str] = &[
    "- a: 第一步",
    "- b: 第二步",
    "? c: 判断 -> 是: a / 否: b",
    " -> end",
    " -> ",
    "-> a",
    "  - sub: 子步骤",
    " | 责任主体",
    " | 3日内",
    " | [表](@/forms/a.md)",
    "# 注释",
    "是: ",
    "／",
];

const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "- ",
    "1. ",
    "> ",
    "    ",
    "**",
    "_",
    "[x](@/a.md)",
    "![i](a.png)",
    "[^1]",
    "[^1]: 注",
    "| a | b |\n|---|---|\n",
    "```flow\n- a: 步\n```\n",
    "```form\n| [a] | ___ |\n```\n",
    "{#id}",
    "{.c onclick=alert(1)}",
    "<b>",
    "<!-- c -->",
    "&amp;",
    "&#x6A;avascript:",
    "\\",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn front_matter_never_panics(
        text in (syntax_text(FRONT, 12), syntax_text(COMMON, 30))
            .prop_map(|(a, b)| format!("---\n{a}\n{b}"))
    ) {
        fuzzing::front_matter(&text);
    }

    #[test]
    fn form_syntax_never_panics(text in syntax_text(FORM, 40)) {
        fuzzing::form_syntax(&text);
    }

    #[test]
    fn form_docx_is_well_formed_xml(text in syntax_text(FORM, 40)) {
        let _ = fuzzing::form_docx(&text);
    }

    #[test]
    fn flow_syntax_never_panics(text in syntax_text(FLOW, 30)) {
        fuzzing::flow_syntax(&text);
    }

    #[test]
    fn markdown_stage_never_panics(kind in any::<u8>(), text in syntax_text(MARKDOWN, 40)) {
        let mut data = vec![kind];
        data.extend_from_slice(text.as_bytes());
        fuzzing::markdown(&data);
    }

    #[test]
    fn tokenizer_offsets_stay_in_range(text in syntax_text(COMMON, 40)) {
        fuzzing::tokenizer(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        fuzzing::front_matter(&text);
        fuzzing::form_syntax(&text);
        let _ = fuzzing::form_docx(&text);
        fuzzing::flow_syntax(&text);
        fuzzing::markdown(text.as_bytes());
        fuzzing::tokenizer(&text);
    }
}

/// Every file in `tests/fuzz/<dir>/<target>/` through the target's entry point.
fn replay(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(dir);
    let mut n = 0;
    for target in [
        "front_matter",
        "form_syntax",
        "form_docx",
        "template",
        "flow_syntax",
        "markdown",
        "tokenizer",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let text = String::from_utf8_lossy(&data);
            let run = std::panic::catch_unwind(|| match target {
                "front_matter" => fuzzing::front_matter(&text),
                "form_syntax" => fuzzing::form_syntax(&text),
                "form_docx" => {
                    let _ = fuzzing::form_docx(&text);
                }
                "template" => {
                    let _ = fuzzing::template(&text);
                }
                "flow_syntax" => fuzzing::flow_syntax(&text),
                "markdown" => fuzzing::markdown(&data),
                _ => fuzzing::tokenizer(&text),
            });
            assert!(run.is_ok(), "{} fails again", file.display());
            n += 1;
        }
    }
    n
}

/// The `form_docx` target checks something only when the form builds: every sample form's block
/// does, also with Word's Shift+Enter in a cell (`shift-enter.txt`); NUL and ESC in a label are
/// refused by the form parser (`refused-*.txt`).
/// The template seeds: each loads (and renders) but the `refused-` ones, include/import cycles and
/// an endless macro, which are refused at load with a diagnostic instead of overflowing the stack.
#[test]
fn template_seeds_load_or_are_refused_as_named() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/seeds/template");
    let (mut loaded, mut refused) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("refused-") {
            assert!(!fuzzing::template(&text), "{name} loads");
            refused += 1;
        } else {
            assert!(fuzzing::template(&text), "{name} is refused");
            loaded += 1;
        }
    }
    assert!(
        loaded >= 5 && refused >= 2,
        "{loaded} loaded, {refused} refused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Templates made of include/import/extends/macro tags between the three fuzzed names never
    /// panic or overflow the stack: they load and render, or are refused.
    #[test]
    fn template_tag_soup_never_crashes(parts in prop::collection::vec(prop::sample::select(vec![
        "{% include \"partials/a.html\" %}",
        "{% include \"partials/b.html\" ignore missing %}",
        "{% include \"page.html\" %}",
        "{% import \"partials/a.html\" as m %}",
        "{% extends \"base.html\" %}",
        "{% macro f() %}{{ self::f() }}{% endmacro f %}",
        "{% macro g(n) %}{% if n > 0 %}{{ self::g(n=n-1) }}{% endif %}{% endmacro g %}",
        "{{ m::f() }}",
        "{% block content %}x{% endblock content %}",
        "{{ title }}",
        "{% raw %}{% include \"page.html\" %}{% endraw %}",
        "\u{1}",
        "文字",
    ]), 0..12)) {
        let _ = fuzzing::template(&parts.concat());
    }
}

#[test]
fn form_docx_seeds_build_forms() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/seeds/form_docx");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("refused-")
        {
            assert!(!fuzzing::form_docx(&text), "{} builds", path.display());
            continue;
        }
        assert!(
            fuzzing::form_docx(&text),
            "{} does not build a form",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 20, "{n} seeds");
}

#[test]
fn fuzz_seeds_pass() {
    assert!(replay("seeds") > 100, "the committed seeds are missing");
}

#[test]
fn fuzz_regressions_stay_fixed() {
    replay("regressions");
}
