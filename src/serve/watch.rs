//! Watching the site's sources: the one home of notify.
//!
//! Input: the site root. Output: batches of changed paths on a channel, debounced (a batch closes
//! after 25 ms without events, or 250 ms after it opened). Native events by default; polling with
//! `--poll`, or automatically when the native watcher cannot start or its events are not delivered
//! (checked at start by writing a probe file into the root).

use notify::{Config, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUIET: Duration = Duration::from_millis(25);
const MAX_BATCH: Duration = Duration::from_millis(250);
const POLL_EVERY: Duration = Duration::from_millis(400);
const PROBE_WAIT: Duration = Duration::from_millis(1500);
const PROBE_PREFIX: &str = ".portal-watch-probe";

/// Folders watched recursively (when they exist); the root itself is watched for `portal.yaml`.
const WATCHED: [&str; 4] = ["content", "templates", "themes", "static"];

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    _inner: Box<dyn Watcher + Send>,
    /// `native` or `poll`.
    pub mode: &'static str,
}

/// Starts watching `root`; changed paths arrive in batches on the returned receiver.
pub fn watch(root: &Path, poll: bool) -> notify::Result<(SiteWatcher, Receiver<Vec<PathBuf>>)> {
    let (raw_tx, raw_rx) = channel::<PathBuf>();
    let (batch_tx, batch_rx) = channel();
    std::thread::spawn(move || debounce(raw_rx, batch_tx));
    let probed = Arc::new(AtomicBool::new(false));
    if !poll {
        if let Ok(w) = start_native(root, raw_tx.clone(), probed.clone()) {
            if delivers_events(root, &probed) {
                return Ok((
                    SiteWatcher {
                        _inner: w,
                        mode: "native",
                    },
                    batch_rx,
                ));
            }
        }
    }
    let w = start_poll(root, raw_tx, probed)?;
    Ok((
        SiteWatcher {
            _inner: w,
            mode: "poll",
        },
        batch_rx,
    ))
}

/// Sends an event's paths on; probe files only raise the `probed` flag.
fn forward(
    tx: Sender<PathBuf>,
    probed: Arc<AtomicBool>,
) -> impl Fn(notify::Result<notify::Event>) + Send + 'static {
    move |res| {
        let Ok(ev) = res else { return };
        if matches!(ev.kind, EventKind::Access(_)) {
            return;
        }
        for p in ev.paths {
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(PROBE_PREFIX))
            {
                probed.store(true, Ordering::SeqCst);
            } else {
                let _ = tx.send(p);
            }
        }
    }
}

fn register(w: &mut dyn Watcher, root: &Path) -> notify::Result<()> {
    w.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED {
        let d = root.join(dir);
        if d.is_dir() {
            w.watch(&d, RecursiveMode::Recursive)?;
        }
    }
    Ok(())
}

fn start_native(
    root: &Path,
    tx: Sender<PathBuf>,
    probed: Arc<AtomicBool>,
) -> notify::Result<Box<dyn Watcher + Send>> {
    let mut w = RecommendedWatcher::new(forward(tx, probed), Config::default())?;
    register(&mut w, root)?;
    Ok(Box::new(w))
}

fn start_poll(
    root: &Path,
    tx: Sender<PathBuf>,
    probed: Arc<AtomicBool>,
) -> notify::Result<Box<dyn Watcher + Send>> {
    // notify's poller compares modification times in whole seconds; comparing contents as well
    // catches a second save within the same second.
    let config = Config::default()
        .with_poll_interval(POLL_EVERY)
        .with_compare_contents(true);
    let mut w = PollWatcher::new(forward(tx, probed), config)?;
    register(&mut w, root)?;
    Ok(Box::new(w))
}

/// Writes a probe file into the root and waits briefly for its event: some file systems (network
/// shares, some containers) never deliver native events.
fn delivers_events(root: &Path, probed: &AtomicBool) -> bool {
    let probe = root.join(format!("{PROBE_PREFIX}-{}", std::process::id()));
    if std::fs::write(&probe, b"probe").is_err() {
        return false;
    }
    let deadline = Instant::now() + PROBE_WAIT;
    while !probed.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::fs::remove_file(&probe);
    probed.load(Ordering::SeqCst)
}

/// Collects paths into batches: a batch closes after [`QUIET`] without events or [`MAX_BATCH`].
fn debounce(rx: Receiver<PathBuf>, tx: Sender<Vec<PathBuf>>) {
    while let Ok(first) = rx.recv() {
        let opened = Instant::now();
        let mut batch = vec![first];
        while opened.elapsed() < MAX_BATCH {
            match rx.recv_timeout(QUIET.min(MAX_BATCH.saturating_sub(opened.elapsed()))) {
                Ok(p) => batch.push(p),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        batch.sort();
        batch.dedup();
        if tx.send(batch).is_err() {
            return;
        }
    }
}
