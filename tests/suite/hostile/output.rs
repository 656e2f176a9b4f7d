//! portal deletes and writes only what it created, and publishes only what belongs to the site.
//! Each case is a regression test for one item of issue 17, as the parent module's cases are.

use super::*;

use std::path::Path;

/// A folder outside the site, with what an editor or a deployment keeps there.
fn foreign_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("web/Documents")).unwrap();
    std::fs::write(dir.path().join("web/Documents/报告.docx"), b"PK report").unwrap();
    std::fs::create_dir_all(dir.path().join("web/.git")).unwrap();
    std::fs::write(dir.path().join("web/.git/config"), b"[core]\n").unwrap();
    dir
}

fn build_into(site: &Site, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.portal_within(&args, LIMIT)
}

/// Item 1: `--output` naming a folder portal never wrote is refused, the folder untouched; `--force`
/// replaces it, and still never follows a link inside it.
#[test]
fn an_output_folder_portal_did_not_write_is_refused_unless_forced() {
    let site = Site::minimal();
    let dir = foreign_folder();
    let web = dir.path().join("web");
    let before = snapshot_tree(&web);
    let run = build_into(&site, &web, &[]);
    assert_clean_failure(&run);
    assert!(
        run.stderr.contains("refusing to replace")
            && run.stderr.contains(".git/")
            && run.stderr.contains("Documents/")
            && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert!(snapshot_tree(&web) == before, "the folder changed");
    let staging: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".web."))
        .collect();
    assert!(staging.is_empty(), "{staging:?}");

    // --force replaces the folder; a link inside it to a folder elsewhere is removed, not followed.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("keep.txt"), b"keep").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), web.join("link")).unwrap();
    let run = build_into(&site, &web, &["--force"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(web.join("index.html").is_file() && web.join(".portal-manifest").is_file());
    assert!(!web.join(".git").exists() && !web.join("Documents").exists());
    assert_eq!(
        std::fs::read(elsewhere.path().join("keep.txt")).unwrap(),
        b"keep"
    );
}

/// Item 1: portal's own output is replaced without `--force`, but not once somebody has put files of
/// their own into it (a deployment's `.git/`).
#[test]
fn files_added_to_portals_output_are_never_deleted() {
    let site = Site::minimal();
    let first = site.portal_within(&["build"], LIMIT);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let manifest = std::fs::read_to_string(site.root().join("public/.portal-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l == "index.html"), "{manifest}");
    let again = site.portal_within(&["build"], LIMIT);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(site.root().join("public/.portal-manifest")).unwrap(),
        manifest,
        "manifest not reproducible"
    );

    site.write("public/.git/HEAD", b"ref: refs/heads/main\n");
    let before = snapshot_tree(&site.root().join("public"));
    let run = site.portal_within(&["build"], LIMIT);
    assert_clean_failure(&run);
    assert!(run.stderr.contains(".git/HEAD"), "{}", run.stderr);
    assert!(snapshot_tree(&site.root().join("public")) == before);
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!("output_foreign_files", stable(&run, &site));
    });
}

/// Item 25: `public` as a symbolic link to the deployed folder: the link is kept and the folder it
/// points to is what gets updated; a link to nothing is refused.
#[test]
fn public_as_a_symbolic_link_is_kept_and_its_target_updated() {
    let site = Site::minimal();
    let deploy = tempfile::tempdir().unwrap();
    let target = deploy.path().join("county");
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, site.root().join("public")).unwrap();
    for _ in 0..2 {
        let run = site.portal_within(&["build"], LIMIT);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let link = std::fs::symlink_metadata(site.root().join("public")).unwrap();
        assert!(link.file_type().is_symlink(), "public is no longer a link");
        assert!(target.join("index.html").is_file());
    }
    std::fs::remove_dir_all(&target).unwrap();
    let run = site.portal_within(&["build"], LIMIT);
    assert_clean_failure(&run);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(site.root().join("public")).is_ok());
}

/// Item 14: staging folders left by killed builds are removed by the next build when their process
/// is gone; those of a live process, and anything else, stay.
#[test]
fn staging_folders_of_killed_builds_are_removed() {
    let site = Site::minimal();
    let dead = (900_000u32..)
        .find(|p| !Path::new(&format!("/proc/{p}")).exists())
        .unwrap();
    let stale = [format!(".public.tmp-{dead}"), format!(".public.old-{dead}")];
    for name in &stale {
        site.write(&format!("{name}/index.html"), b"left by a killed build");
    }
    let keep = [".public.tmp-1", ".public.tmp-abc", ".other.tmp-123"];
    for name in keep {
        site.write(&format!("{name}/x"), b"not stale");
    }
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for name in &stale {
        assert!(!site.root().join(name).exists(), "{name} left behind");
    }
    for name in keep {
        assert!(site.root().join(name).exists(), "{name} removed");
    }
}

/// Item 8: a `.portal-cache` (or its `search/`) that is a symbolic link is refused by `build` and
/// `search`, and nothing is written or deleted where it points.
#[test]
fn a_symlinked_search_cache_is_never_followed() {
    for inner in [false, true] {
        let site = Site::minimal();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(elsewhere.path().join("search")).unwrap();
        std::fs::write(elsewhere.path().join("search/mine.txt"), b"mine").unwrap();
        if inner {
            std::fs::create_dir(site.root().join(".portal-cache")).unwrap();
            std::os::unix::fs::symlink(
                elsewhere.path().join("search"),
                site.root().join(".portal-cache/search"),
            )
            .unwrap();
        } else {
            std::os::unix::fs::symlink(elsewhere.path(), site.root().join(".portal-cache"))
                .unwrap();
        }
        let before = snapshot_tree(elsewhere.path());
        for args in [&["build"][..], &["search", "首页"][..]] {
            let run = site.portal_within(args, LIMIT);
            assert_clean_failure(&run);
            assert!(
                run.stderr.contains("search cache") && run.stderr.contains("symbolic link"),
                "{}",
                run.stderr
            );
            assert!(
                snapshot_tree(elsewhere.path()) == before,
                "{args:?} touched the target"
            );
        }
        assert!(
            !site.root().join("public").exists(),
            "built despite the refusal"
        );
    }
}

/// Item 23: Windows' folder files and Office lock files (which hold the editor's name) are never
/// published, from `content/` or `static/`.
#[test]
fn thumbs_db_desktop_ini_and_office_lock_files_are_not_published() {
    let site = Site::minimal()
        .file(
            "content/guide/index.md",
            "---\ntitle: 指南\n---\n\n[附件](附件.docx)\n",
        )
        .file("content/guide/附件.docx", "PK real attachment")
        .file("content/guide/~$附件.docx", "\u{5}张三")
        .file("content/guide/Thumbs.db", "thumbs")
        .file("content/guide/desktop.ini", "[.ShellClassInfo]")
        .file("static/files/DESKTOP.INI", "[.ShellClassInfo]")
        .file("static/files/~$计划.xlsx", "lock");
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.out.join("guide/附件.docx").is_file());
    let published: Vec<String> = snapshot_tree(&run.out)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    for p in &published {
        let name = p.rsplit('/').next().unwrap().to_ascii_lowercase();
        assert!(
            !name.starts_with("~$") && name != "thumbs.db" && name != "desktop.ini",
            "{p} published"
        );
    }
}

/// Item 11: a link in `content/` to a file of the site outside `content/` and `static/`
/// (`../.git/config` with a token in its remote, `../portal.yaml`) is an error naming the target,
/// and nothing of it is published; links within `content/` still work.
#[test]
fn links_in_content_to_the_sites_own_files_are_refused() {
    let site = Site::minimal()
        .file(
            "content/guide/index.md",
            "---\ntitle: 指南\n---\n\n正文。\n",
        )
        .file("content/guide/plan.pdf", "%PDF plan")
        .file(
            ".git/config",
            "[remote \"origin\"]\n\turl = https://user:TOKEN@example.com/x.git\n",
        );
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, site.root().join("content/guide").join(name)).unwrap()
    };
    link("../../.git/config", "config.txt");
    link("../../portal.yaml", "portal.yaml.txt");
    link("plan.pdf", "plan-copy.pdf");
    let out = fails_cleanly(&site);
    assert!(
        out.contains("content/guide/config.txt: error: symbolic link to `.git/config`")
            && out.contains("content/guide/portal.yaml.txt: error: symbolic link to `portal.yaml`"),
        "{out}"
    );
    assert!(!out.contains("plan-copy.pdf"), "{out}");
    std::fs::remove_file(site.root().join("content/guide/config.txt")).unwrap();
    std::fs::remove_file(site.root().join("content/guide/portal.yaml.txt")).unwrap();
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.out.join("guide/plan-copy.pdf").is_file());
    let all: Vec<u8> = snapshot_tree(&run.out)
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    assert!(!String::from_utf8_lossy(&all).contains("TOKEN"));
}

/// Item 6: a draft bundle's attachments are not published (with `--drafts` they are).
#[test]
fn a_draft_bundles_attachments_are_not_published() {
    let site = Site::minimal()
        .file(
            "content/notices/plan/index.md",
            "---\ntitle: 未定稿的方案\ndraft: true\n---\n\n[附件](方案.docx)\n",
        )
        .file("content/notices/plan/方案.docx", "PK draft")
        .file("content/notices/plan/images/图.png", "png");
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.out.join("notices/plan").exists(),
        "draft bundle published"
    );
    let run = site.portal_within(&["build", "--drafts"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.out.join("notices/plan/方案.docx").is_file());
}

/// Item 22: a slug or file colliding with what portal generates is a positioned error naming the
/// source and the generated page, never a raw OS error.
#[test]
fn slugs_colliding_with_generated_pages_name_the_source() {
    let site = Site::minimal()
        .file(
            "content/a.md",
            "---\ntitle: 搜索说明\nslug: search\n---\n\n正文。\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: 标签\nslug: tags\n---\n\n正文。\n",
        )
        .file(
            "content/c.md",
            "---\ntitle: 首页副本\nslug: index.html\n---\n\n正文。\n",
        )
        .file("content/sitemap.xml", "<urlset/>");
    let out = fails_cleanly(&site);
    for needle in [
        "content/a.md:3:1: error: its output `search/index.html` collides with `search`",
        "content/b.md:3:1: error: its output `tags/index.html` collides with `tags`",
        "content/c.md:3:1: error:",
        "content/sitemap.xml: error: its output `sitemap.xml` collides with `sitemap.xml`",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    assert!(!out.contains("os error"), "{out}");
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!("output_generated_collisions", out);
    });
}

/// Item 17: symbolic links under `static/` and `templates/` are followed when they stay inside the
/// site, and an error naming the link when they leave it (or lead nowhere), never skipped silently.
#[test]
fn links_under_static_and_templates_are_followed_or_reported() {
    let site = Site::minimal()
        .file(
            "shared/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file("shared/footer.html", "<footer>共享页脚</footer>\n");
    std::fs::create_dir_all(site.root().join("static/img")).unwrap();
    std::fs::create_dir_all(site.root().join("templates/partials")).unwrap();
    let link =
        |target: &Path, at: &str| std::os::unix::fs::symlink(target, site.root().join(at)).unwrap();
    link(&site.root().join("shared/logo.svg"), "static/img/logo.svg");
    link(&site.root().join("shared"), "static/shared-dir");
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.out.join("img/logo.svg").is_file(),
        "a link inside the site was skipped"
    );
    assert!(run.out.join("shared-dir/logo.svg").is_file());

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
    link(&outside.path().join("secret.txt"), "static/secret.txt");
    link(
        &outside.path().join("missing.html"),
        "templates/partials/gone.html",
    );
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    let out = fails_cleanly(&site);
    assert!(
        out.contains("static/secret.txt: error: symbolic link points outside the site")
            && out.contains("templates/partials/gone.html: error: symbolic link to `"),
        "{out}"
    );
}

/// Item 13: `.html` and `.svg` attachments holding scripts are published with a warning naming the
/// file and what was found; passive ones (the sample site's badges) give none.
#[test]
fn attachments_holding_scripts_are_warned_about() {
    let site = Site::minimal()
        .file(
            "content/files/map.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        )
        .file(
            "content/files/chart.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload = \"alert(1)\"/>",
        )
        .file(
            "content/files/old.html",
            "<a href=\"JavaScript:alert(1)\">旧页面</a>",
        )
        .file(
            "content/files/plain.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>content on = display</text></svg>",
        );
    let run = site.portal_within(&["build"], LIMIT);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = stable(&run, &site);
    for needle in [
        "content/files/map.svg: warning: this attachment holds a `<script>` element",
        "content/files/chart.svg: warning: this attachment holds an event-handler attribute",
        "content/files/old.html: warning: this attachment holds a `javascript:` URL",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    assert!(!out.contains("plain.svg"), "{out}");
    let sample = Site::sample().portal_within(&["build"], LIMIT);
    assert_eq!(sample.code, Some(0), "{}", sample.stderr);
    assert!(
        !sample.stderr.contains("this attachment holds"),
        "{}",
        sample.stderr
    );
}
