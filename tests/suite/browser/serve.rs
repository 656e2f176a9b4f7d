//! Live preview in a real browser: a page open in Chromium reloads after an edit, shows the
//! diagnostics over the page while the source is broken, and recovers when it is fixed.

use crate::support::site::Site;
use policy_portal::pipeline::BuildOptions;
use policy_portal::serve::{start, ServeOptions};
use std::sync::Arc;

#[test]
fn open_page_reloads_and_shows_the_error_overlay() {
    let b = require_browser!();
    let site = Site::fixture("basic");
    let opts = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let server = start(
        opts,
        &ServeOptions {
            bind: "127.0.0.1".into(),
            port: 0,
            poll: false,
        },
        Arc::new(|_| {}),
    )
    .unwrap();
    b.open(&format!("{}guide/levels/index.html", server.url));
    b.wait_until(
        "window.portalLive && window.portalLive.source.readyState === 1",
        "the live-reload connection",
    );
    assert_eq!(b.text("h1"), "风险等级");

    let page = "---\ntitle: 风险等级（修订）\n---\n\n## 一、三级划分\n\n刚刚保存的内容。\n";
    site.write("content/guide/levels.md", page.as_bytes());
    b.wait_until("document.querySelector('h1') && document.querySelector('h1').textContent === '风险等级（修订）'", "the reloaded page");
    b.wait_until(
        "window.portalLive && window.portalLive.source.readyState === 1",
        "the live-reload connection after reload",
    );

    site.write(
        "content/guide/levels.md",
        "---\ntitle: 风险等级\nweight: 很重\n---\n".as_bytes(),
    );
    b.wait_for("#portal-live-overlay");
    let overlay = b.text("#portal-live-overlay");
    assert!(overlay.contains("content/guide/levels.md:3:9"), "{overlay}");
    assert!(overlay.contains("构建出错"), "{overlay}");
    assert_eq!(b.text("h1"), "风险等级（修订）", "the last good page stays");

    site.write(
        "content/guide/levels.md",
        page.replace("刚刚保存的内容", "改好了").as_bytes(),
    );
    b.wait_until("document.body.textContent.includes('改好了') && !document.querySelector('#portal-live-overlay')", "the fixed page without the overlay");
    b.assert_no_console_errors();
}
