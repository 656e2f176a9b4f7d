//! Hostile and broken sites: every case must fail with clear diagnostics (`path:line:col: …`, or a
//! message naming the file where there is no line), exit with status 1 (not a panic's 101, not a
//! signal), finish (a hang fails the test), and leave the previous `public/` byte for byte as it was.
//!
//! Committed cases live in `tests/fixtures/hostile/<case>/`; the ones that would bloat or break a
//! checkout (a 50 MB file, 10,000-deep nesting, names differing only in case, symlinks, pipes,
//! unreadable files, non-UTF-8 bytes, CRLF, an empty `content/`) are made here at test time.
//! The messages are snapshotted (`tests/suite/snapshots/suite__hostile__*.snap`).

use crate::support::site::{snapshot_tree, Run, Site};

// Reliability wave 2 (issue 17), one file per concern; each uses the helpers below.
/// Names, patterns and sizes that must stay within bounds: YAML nesting, template cycles, headings,
/// articles, tags, wrong types, encodings, control characters.
mod bounds;
/// What portal writes and deletes: `--output`, `public` as a symlink, the cache, staging folders,
/// symlinks, drafts' attachments, files that must not be published.
mod output;
/// Every URL and every XML file portal writes: `portal.yaml` links, CSP, percent-encoding, XML
/// characters, `serve`'s redirects and Host check.
mod urls;
use std::time::Duration;

/// Generous: the slowest case (a 50 MB file) is refused before it is read; a hang is a failure.
const LIMIT: Duration = Duration::from_secs(120);

/// Leaves a previous build's output in `public/`, runs `portal build` and checks that it failed
/// cleanly and touched nothing. Returns the messages with the site's temporary path replaced.
fn fails_cleanly(site: &Site) -> String {
    fails_cleanly_within(site, LIMIT)
}

/// [`fails_cleanly`] with its own time limit.
fn fails_cleanly_within(site: &Site, limit: Duration) -> String {
    site.write("public/index.html", "<p>上一次发布的首页</p>\n".as_bytes());
    site.write("public/guide/index.html", b"previous guide\n");
    site.write("public/js/portal.js", b"// previous\n");
    let before = snapshot_tree(&site.root().join("public"));
    let run = site.portal_within(&["build"], limit);
    assert_clean_failure(&run);
    assert!(
        snapshot_tree(&run.out) == before,
        "public/ changed after a failed build:\n{}",
        run.stderr
    );
    for entry in std::fs::read_dir(site.root()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".public."),
            "staging folder {name} left behind"
        );
    }
    stable(&run, site)
}

fn assert_clean_failure(run: &Run) {
    assert!(
        !run.stderr.contains("panicked"),
        "portal panicked:\n{}",
        run.stderr
    );
    assert_eq!(
        run.code,
        Some(1),
        "expected exit status 1 (errors), got {:?}:\n{}",
        run.code,
        run.stderr
    );
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("build failed: ") || last.starts_with("error: "),
        "{}",
        run.stderr
    );
    for line in run.stderr.lines() {
        if line.contains(": error: ") {
            let place = line.split(": error: ").next().unwrap();
            assert!(!place.is_empty() && !place.starts_with(' '), "{line}");
        }
    }
}

/// The stderr with durations and the site's temporary folder replaced, for snapshots.
fn stable(run: &Run, site: &Site) -> String {
    run.stable_stderr()
        .replace(&site.root().display().to_string(), "<site>")
}

fn fixture_case(case: &str) -> String {
    fails_cleanly(&Site::fixture(&format!("hostile/{case}")))
}

#[test]
fn yaml_syntax_errors() {
    insta::assert_snapshot!("yaml_syntax", fixture_case("yaml-syntax"));
}

#[test]
fn wrong_types() {
    insta::assert_snapshot!("wrong_types", fixture_case("wrong-types"));
}

#[test]
fn unknown_kinds_and_fields() {
    insta::assert_snapshot!("unknown_kind_field", fixture_case("unknown-kind-field"));
}

#[test]
fn unclosed_fences() {
    insta::assert_snapshot!("unclosed_fences", fixture_case("unclosed-fences"));
}

#[test]
fn bad_form_syntax() {
    insta::assert_snapshot!("bad_form", fixture_case("bad-form"));
}

#[test]
fn bad_flowchart_syntax() {
    insta::assert_snapshot!("bad_flow", fixture_case("bad-flow"));
}

#[test]
fn broken_and_circular_links() {
    let text = fixture_case("links");
    // Pages that link to each other (and to themselves) are fine: only the broken ones are named.
    for line in text.lines() {
        assert!(
            !line.starts_with("content/a.md") && !line.starts_with("content/b.md"),
            "{line}"
        );
    }
    insta::assert_snapshot!("links", text);
}

#[test]
fn duplicate_ids_and_slugs() {
    insta::assert_snapshot!("duplicates", fixture_case("duplicates"));
}

#[test]
fn slugs_that_leave_the_output_folder() {
    let site = Site::fixture("hostile/output-paths");
    // Backslashes in names (made here: such a name breaks a checkout on Windows).
    if cfg!(unix) {
        site.write(
            "content/a\\..\\..\\escaped.md",
            "---\ntitle: 反斜杠\n---\n".as_bytes(),
        );
        site.write("content/b\\..\\..\\escaped.png", b"png");
    }
    let outside = site.root().parent().unwrap().to_path_buf();
    let before: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let text = fails_cleanly(&site);
    assert!(!std::path::Path::new("/tmp/escaped").exists());
    assert!(!site.root().join("escaped").exists());
    let after: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("escaped"))
        .collect();
    assert!(
        after.is_empty(),
        "written next to the site: {after:?} (before: {})",
        before.len()
    );
    insta::assert_snapshot!("output_paths", text);
}

#[test]
fn names_differing_only_in_letter_case() {
    let site = Site::minimal()
        .file("content/Guide.md", "---\ntitle: 大写\n---\n")
        .file("content/guide.md", "---\ntitle: 小写\n---\n")
        .file("content/Forms/a.md", "---\ntitle: 甲\n---\n")
        .file("content/forms/b.md", "---\ntitle: 乙\n---\n")
        .file("content/img/Logo.PNG", "png")
        .file("content/img/logo.png", "png");
    insta::assert_snapshot!("case_collisions", fails_cleanly(&site));
}

#[test]
fn encodings_bom_crlf_and_non_utf8() {
    let site = Site::minimal();
    // GBK: 正文 on line 5.
    site.write(
        "content/gbk.md",
        b"---\ntitle: x\n---\n\n\xd5\xfd\xce\xc4\n",
    );
    // UTF-16 with its byte-order mark, as Windows Notepad may save.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "---\r\ntitle: 十六位\r\n---\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    site.write("content/utf16.md", &utf16);
    // BOM + CRLF: the position of the broken link must not shift.
    site.write(
        "content/bom-crlf.md",
        "\u{feff}---\r\ntitle: 带BOM\r\n---\r\n\r\n前文 [坏](@/none.md)\r\n".as_bytes(),
    );
    // Old Mac line ends (CR only).
    site.write(
        "content/cr.md",
        b"---\rtitle: CR\rweight: \xe5\xbe\x88\r---\r\rtext\r",
    );
    // A NUL byte in the text.
    site.write(
        "content/nul.md",
        b"---\ntitle: \"a\\0b\"\n---\n\nx\x00y [z](@/none.md)\n",
    );
    insta::assert_snapshot!("encodings", fails_cleanly(&site));
    // The BOM/CRLF page itself is fine once its link is fixed.
    let site = Site::minimal();
    site.write(
        "content/bom.md",
        "\u{feff}---\r\ntitle: 带BOM\r\n---\r\n\r\n正文。\r\n".as_bytes(),
    );
    site.build()
        .ok()
        .contains("bom/index.html", "<h1>带BOM</h1>");
}

#[test]
fn a_50_mb_markdown_file() {
    let site = Site::minimal();
    let mut text = String::from("---\ntitle: 五十兆\n---\n\n");
    let para = "第一条　为了规范重大决策社会稳定风险评估工作，根据有关规定，结合本县实际，制定本办法。\n\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(para);
    }
    site.write("content/huge.md", text.as_bytes());
    let text = fails_cleanly(&site);
    assert!(text.contains("content/huge.md: error: "), "{text}");
    insta::assert_snapshot!("huge_file", text);
}

#[test]
fn nesting_10000_deep() {
    let site = Site::minimal();
    let depth = 10_000;
    let lists = format!("---\ntitle: 列表\n---\n\n{}深\n", "- ".repeat(depth));
    let quotes = format!("---\ntitle: 引用\n---\n\n{}深\n", "> ".repeat(depth));
    let mixed = format!("---\ntitle: 混合\n---\n\n{}深\n", "> - ".repeat(depth / 2));
    let emphasis = format!(
        "---\ntitle: 强调\n---\n\n{}深{}\n\n[坏](@/none.md)\n",
        "*".repeat(depth),
        "*".repeat(depth)
    );
    let brackets = format!(
        "---\ntitle: 括号\n---\n\n{}x\n\n[坏](@/none.md)\n",
        "[".repeat(depth)
    );
    site.write("content/lists.md", lists.as_bytes());
    site.write("content/quotes.md", quotes.as_bytes());
    site.write("content/mixed.md", mixed.as_bytes());
    site.write("content/emphasis.md", emphasis.as_bytes());
    site.write("content/brackets.md", brackets.as_bytes());
    insta::assert_snapshot!("deep_nesting", fails_cleanly(&site));
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_outside_the_site() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "---\ntitle: 机密\n---\n").unwrap();
    let site = Site::minimal().file("content/sub/page.md", "---\ntitle: 子页\n---\n");
    let c = site.root().join("content");
    symlink(&c, c.join("sub/loop")).unwrap();
    symlink("..", c.join("sub/up")).unwrap();
    symlink(outside.path().join("secret.md"), c.join("secret.md")).unwrap();
    symlink(outside.path(), c.join("outside")).unwrap();
    symlink("/etc/hostname", c.join("host.txt")).unwrap();
    symlink("nowhere.md", c.join("dangling.md")).unwrap();
    // A link inside the site is fine.
    symlink("sub/page.md", c.join("alias.md")).unwrap();
    let text = fails_cleanly(&site);
    let text = text.replace(&outside.path().display().to_string(), "<outside>");
    assert!(!text.contains("alias.md"), "{text}");
    insta::assert_snapshot!("symlinks", text);
}

/// A file the build cannot read. `chmod 000` keeps nobody but root out, and tests may run as root
/// (in CI containers they do): then the file stays readable, which the test detects and says, and
/// the other unreadable sources (named pipes, which would block a naive reader forever, and a link
/// to a device) still have to be reported; `unreadable_files_as_an_unprivileged_user` then runs
/// the `chmod 000` case as user `nobody`.
#[cfg(unix)]
#[test]
fn unreadable_files_pipes_and_devices() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::minimal()
        .file("content/locked.md", "---\ntitle: 锁住\n---\n")
        .file("content/closed/page.md", "---\ntitle: 锁住的目录\n---\n");
    let c = site.root().join("content");
    std::fs::set_permissions(c.join("locked.md"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(c.join("closed"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read(c.join("locked.md")).is_ok();
    let fifo = std::process::Command::new("mkfifo")
        .arg(c.join("pipe.md"))
        .arg(c.join("pipe.png"))
        .status()
        .unwrap();
    assert!(fifo.success());
    std::os::unix::fs::symlink("/dev/zero", c.join("zero.md")).unwrap();
    let text = fails_cleanly(&site);
    // Let the temp folder be removed.
    std::fs::set_permissions(c.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(c.join("locked.md"), std::fs::Permissions::from_mode(0o644)).unwrap();
    for needle in ["content/pipe.md: error: ", "content/pipe.png: error: "] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    if privileged {
        eprintln!(
            "note: running as root, so `chmod 000` files stay readable; checked the named pipes and /dev/zero link instead"
        );
        assert!(!text.contains("content/locked.md"), "{text}");
        insta::assert_snapshot!("unreadable_as_root", text);
    } else {
        assert!(
            text.contains("content/locked.md: error: cannot read"),
            "{text}"
        );
        assert!(
            text.contains("content/closed: error: cannot read"),
            "{text}"
        );
        // Not snapshotted: the root case above is the one CI runs.
    }
}

#[test]
fn empty_or_missing_content() {
    let site = Site::empty().file("portal.yaml", "title: 空\n");
    std::fs::create_dir_all(site.root().join("content")).unwrap();
    let empty = fails_cleanly(&site);
    let site = site.file("content/readme.txt", "不是 Markdown");
    let no_markdown = fails_cleanly(&site);
    let site = Site::empty().file("portal.yaml", "title: 空\n");
    let missing = fails_cleanly(&site);
    let site = Site::empty().file("content/_index.md", "---\ntitle: 首页\n---\n");
    let no_config = fails_cleanly(&site);
    insta::assert_snapshot!(
        "empty_content",
        format!("# empty content/\n{empty}\n# only a text file\n{no_markdown}\n# no content/\n{missing}\n# no portal.yaml\n{no_config}")
    );
}

#[test]
fn five_hundred_errors_are_all_printed() {
    let site = Site::minimal();
    for i in 0..500 {
        let text = match i % 5 {
            0 => format!("---\ntitle: 第{i}页\n---\n\n[坏](@/missing-{i}.md)\n"),
            1 => format!("---\ntitle: 第{i}页\nauthor: 张三\n---\n"),
            2 => format!("---\ntitle: 第{i}页\nweight: 很重\n---\n"),
            3 => format!("---\nkind: measure\ntitle: 第{i}页\nstatus: 有效\n---\n"),
            _ => format!("---\ntitle: 第{i}页\n---\n\n[锚点](#没有-{i})\n"),
        };
        site.write(&format!("content/p{i:03}.md"), text.as_bytes());
    }
    let run = site.portal_within(&["build"], LIMIT);
    assert_clean_failure(&run);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 500, "{}", run.stderr);
    for i in 0..500 {
        let path = format!("content/p{i:03}.md:");
        assert!(
            errors.iter().any(|l| l.starts_with(&path)),
            "no error for {path}"
        );
    }
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("build failed: 500 errors in "),
        "{}",
        run.stderr.lines().last().unwrap()
    );
}

/// `chmod 000` for real when the tests run as root: the build runs as user `nobody` (through
/// util-linux `setpriv`), for whom the locked file and folder are unreadable. Outside root there is
/// nothing to drop, and `unreadable_files_pipes_and_devices` has already checked the same case.
#[cfg(unix)]
#[test]
fn unreadable_files_as_an_unprivileged_user() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::minimal()
        .file("content/locked.md", "---\ntitle: 锁住\n---\n")
        .file("content/closed/page.md", "---\ntitle: 锁住的目录\n---\n");
    let c = site.root().join("content");
    let set = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(&c.join("locked.md"), 0o000);
    set(&c.join("closed"), 0o000);
    if std::fs::read(c.join("locked.md")).is_err() {
        set(&c.join("closed"), 0o755);
        eprintln!("note: not root; the chmod 000 case ran in unreadable_files_pipes_and_devices");
        return;
    }
    // `nobody` may enter and write the site folder (for the staging folder), nothing more.
    set(site.root(), 0o777);
    site.write("public/index.html", b"previous\n");
    // A previous build's output: portal's own list of what it wrote there.
    site.write("public/.portal-manifest", b"index.html\n");
    set(&site.root().join("public"), 0o777);
    let before = snapshot_tree(&site.root().join("public"));
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_portal"))
        .args(["build", "--root"])
        .arg(site.root())
        .output()
        .expect("setpriv (util-linux) runs the build as nobody");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    set(&c.join("closed"), 0o755);
    set(&c.join("locked.md"), 0o644);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(snapshot_tree(&site.root().join("public")) == before);
    let text: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    insta::assert_snapshot!("unreadable_unprivileged", text.join("\n"));
}
