//! `portal serve`: live preview. The one home of notify (in `watch`).
//!
//! Input: [`BuildOptions`] and [`ServeOptions`]. Output: a running [`Server`]: the site built in
//! memory ([`live::Live`]), served over HTTP on loopback ([`http`]), rebuilt incrementally when
//! sources change ([`watch`]), with open pages reloaded over server-sent events once the new files
//! are in place, or shown the diagnostics while the sources have errors. Bad input never stops it.

pub mod host;
pub mod http;
pub mod live;
pub mod watch;

use crate::diagnostic::Diagnostic;
use crate::pipeline::BuildOptions;
use crate::search::update::{Change, LiveIndex};
use crate::site::Site;
use anyhow::{anyhow, Context, Result};
use http::{Gate, Hub, Shared};
use live::{Changes, FileMap, Live, Outcome};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread;

/// Where to listen and how to watch.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Default `127.0.0.1`.
    pub bind: String,
    /// Default 8000; 0 picks a free port.
    pub port: u16,
    /// Poll the file system instead of native events.
    pub poll: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: "127.0.0.1".into(),
            port: 8000,
            poll: false,
        }
    }
}

/// Where `serve` reports to (the terminal, from `main.rs`; a test's buffer).
pub type Log = Arc<dyn Fn(Report) + Send + Sync>;

/// What `serve` tells the terminal.
#[derive(Debug, Clone)]
pub enum Report {
    /// A rebuild finished (the first build too).
    Rebuilt(Outcome),
    /// Something went wrong outside the sources (the watcher).
    Problem(String),
    /// The search index of the newest good build is in place.
    Searched {
        change: crate::search::update::Change,
        elapsed: std::time::Duration,
    },
}

/// A running preview server; it stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    /// The URL of the home page.
    pub url: String,
    /// `native` or `poll`.
    pub watch_mode: &'static str,
    shared: Arc<Shared>,
    http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Server {
    /// Number of pages connected for live reload.
    pub fn clients(&self) -> usize {
        self.shared.hub.clients()
    }

    /// Blocks until the server stops.
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in 0..WORKERS {
            self.http.unblock();
        }
    }
}

const WORKERS: usize = 8;

/// Builds the site, starts the HTTP workers and the watcher, and returns at once.
pub fn start(opts: BuildOptions, serve: &ServeOptions, log: Log) -> Result<Server> {
    let root = opts
        .root
        .canonicalize()
        .with_context(|| format!("opening {}", opts.root.display()))?;
    let (watcher, batches) =
        watch::watch(&root, serve.poll).context("watching the site for changes")?;
    let watch_mode = watcher.mode;
    let (mut live, first) = Live::new(BuildOptions {
        root: root.clone(),
        ..opts
    });
    let shared = Arc::new(Shared {
        files: RwLock::new(live.files()),
        search: RwLock::new(Arc::new(FileMap::new())),
        base: RwLock::new(live.base_path()),
        csp: RwLock::new(live.csp()),
        hosts: host::Hosts::new(&serve.bind),
        port: std::sync::atomic::AtomicU16::new(serve.port),
        gate: Gate::default(),
        search_gate: Gate::default(),
        hub: Hub::default(),
    });
    let slot = Arc::new(SearchSlot::default());
    if live.search_owed() {
        shared.search_gate.begin();
    }
    let search = {
        let (shared, log, slot) = (shared.clone(), log.clone(), slot.clone());
        thread::spawn(move || search_thread(&slot, &shared, &*log))
    };
    if let Some(site) = live.search_job() {
        slot.put(site);
    }
    log(Report::Rebuilt(first.clone()));
    announce(&shared, &first, 0);
    let http = tiny_http::Server::http((serve.bind.as_str(), serve.port))
        .map_err(|e| anyhow!("cannot listen on {}:{}: {e}", serve.bind, serve.port))?;
    let addr = http
        .server_addr()
        .to_ip()
        .context("the server has no IP address")?;
    shared.port.store(addr.port(), Ordering::SeqCst);
    let http = Arc::new(http);
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads: Vec<thread::JoinHandle<()>> = (0..WORKERS)
        .map(|_| {
            let (http, shared, stop) = (http.clone(), shared.clone(), stop.clone());
            thread::spawn(move || {
                while let Ok(req) = http.recv() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    http::answer(req, &shared);
                }
            })
        })
        .collect();
    let rebuild = {
        let (shared, stop, version) = (shared.clone(), stop.clone(), AtomicU64::new(0));
        thread::spawn(move || {
            let _keep_watching = watcher;
            while let Ok(batch) = batches.recv() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let changes = Changes::classify(&root, &batch);
                if changes.is_empty() {
                    continue;
                }
                shared.gate.begin();
                let outcome = live.apply(&changes);
                if outcome.ok {
                    *shared.files.write().expect("files") = live.files();
                    *shared.base.write().expect("base") = live.base_path();
                    *shared.csp.write().expect("csp") = live.csp();
                }
                // Search requests wait for the new index from now on, before any page can ask.
                if live.search_owed() {
                    shared.search_gate.begin();
                }
                shared.gate.end();
                // The terminal hears first, so whatever a page does on reload finds the report.
                log(Report::Rebuilt(outcome.clone()));
                announce(
                    &shared,
                    &outcome,
                    version.fetch_add(1, Ordering::SeqCst) + 1,
                );
                if let Some(site) = live.search_job() {
                    slot.put(site);
                }
            }
            slot.close();
        })
    };
    threads.push(rebuild);
    threads.push(search);
    let url = format!("http://{addr}{}", shared.base.read().expect("base"));
    Ok(Server {
        addr,
        url,
        watch_mode,
        shared,
        http,
        stop,
        threads,
    })
}

/// The newest good build waiting for its search index, and how many builds began waiting since the
/// search thread last looked (each closed the search gate once).
#[derive(Default)]
struct SearchSlot {
    state: Mutex<SlotState>,
    changed: Condvar,
}

#[derive(Default)]
struct SlotState {
    site: Option<Arc<Site>>,
    begun: usize,
    closed: bool,
}

impl SearchSlot {
    /// Hands over a build (replacing one still waiting: only the newest is indexed).
    fn put(&self, site: Arc<Site>) {
        let mut s = self.state.lock().expect("search slot");
        s.site = Some(site);
        s.begun += 1;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.state.lock().expect("search slot").closed = true;
        self.changed.notify_all();
    }

    /// Waits for a build, then for the writer to pause ([`SEARCH_QUIET`] without a newer one);
    /// `None` once closed.
    fn take(&self) -> Option<(Arc<Site>, usize)> {
        let mut s = self.state.lock().expect("search slot");
        while s.site.is_none() && !s.closed {
            s = self.changed.wait(s).expect("search slot");
        }
        loop {
            let begun = s.begun;
            let (next, timeout) = self
                .changed
                .wait_timeout_while(s, SEARCH_QUIET, |x| x.begun == begun && !x.closed)
                .expect("search slot");
            s = next;
            if timeout.timed_out() || s.closed {
                break;
            }
        }
        let site = s.site.take()?;
        Some((site, std::mem::take(&mut s.begun)))
    }
}

/// Makes the search index of the newest good build: builds handed over while one is being made are
/// skipped but the newest, and search requests wait a little (the search gate) for it to be in place;
/// the search page reloads when it lands. After
/// the first, an edit changes only the parts of the index it touches ([`LiveIndex::update`]).
fn search_thread(slot: &SearchSlot, shared: &Shared, log: &dyn Fn(Report)) {
    lower_priority();
    let mut live: Option<LiveIndex> = None;
    while let Some((site, begun)) = slot.take() {
        let started = std::time::Instant::now();
        let result = match live.as_mut() {
            Some(index) => index.update(&site),
            None => LiveIndex::build(&site).map(|index| {
                live = Some(index);
                Change::Full("the first build".into())
            }),
        };
        drop(site);
        match result {
            Ok(change) => {
                if let (true, Some(index)) = (change != Change::Nothing, live.as_ref()) {
                    *shared.search.write().expect("search") = index.files();
                    shared.hub.search();
                }
                log(Report::Searched {
                    change,
                    elapsed: started.elapsed(),
                });
            }
            Err(e) => {
                // Whatever the index holds now, the next build starts afresh.
                live = None;
                log(Report::Problem(format!(
                    "cannot build the search index: {e:#}"
                )));
            }
        }
        for _ in 0..begun {
            shared.search_gate.end();
        }
    }
}

/// How long the search thread waits for a newer build before indexing the one it has.
const SEARCH_QUIET: std::time::Duration = std::time::Duration::from_millis(300);

/// Gives the calling thread a lower CPU priority (Linux: per thread), so that indexing for search
/// never slows down the rebuilds that make pages reload.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread's own id; failure leaves the priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Tells connected pages what the rebuild means for them.
fn announce(shared: &Shared, outcome: &Outcome, version: u64) {
    if outcome.ok {
        shared.hub.reload(version);
    } else {
        let lines: Vec<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(Diagnostic::to_string)
            .collect();
        shared.hub.errors(&lines);
    }
}
