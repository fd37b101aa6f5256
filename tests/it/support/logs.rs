//! Captures the app's log output in memory while a test needs it, so the
//! test can check what the app wrote. There is one subscriber per process
//! and every integration test runs in this one: while any capture is held,
//! everything logged in the process at the most verbose level asked for goes
//! to one shared buffer, so look for text only your own test causes. With
//! no capture held nothing is logged, and the next capture starts empty.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Registry;

#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The process's one subscriber: a level that follows the captures held,
/// and the buffer they read.
struct Shared {
    logs: Captured,
    level: reload::Handle<LevelFilter, Registry>,
    /// The level of each capture held now.
    held: Mutex<Vec<LevelFilter>>,
}

impl Shared {
    fn get() -> &'static Shared {
        static SHARED: OnceLock<Shared> = OnceLock::new();
        SHARED.get_or_init(|| {
            let logs = Captured::default();
            let (level, handle) = reload::Layer::new(LevelFilter::OFF);
            // The app's own guard against logging the Socket Mode ticket,
            // as `telemetry::init` installs it.
            tracing_subscriber::registry()
                .with(level)
                .with(paas_incident_bot::telemetry::never_logged())
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_writer(logs.clone())
                        .with_ansi(false),
                )
                .init();
            Shared {
                logs,
                level: handle,
                held: Mutex::new(Vec::new()),
            }
        })
    }

    fn set_level(&self, held: &[LevelFilter]) {
        let most = held.iter().copied().max().unwrap_or(LevelFilter::OFF);
        self.level
            .reload(most)
            .expect("the subscriber is installed");
    }
}

/// Log output captured from [`capture`] until this is dropped.
pub struct Capture {
    logs: Captured,
    level: LevelFilter,
}

impl Capture {
    pub fn text(&self) -> String {
        self.logs.text()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let shared = Shared::get();
        let mut held = shared.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = held.iter().position(|l| *l == self.level) {
            held.remove(i);
        }
        shared.set_level(&held);
    }
}

/// Captures everything logged at `level` (`"info"`, `"trace"`, …) or more
/// severe, until the returned capture is dropped.
pub fn capture(level: &str) -> Capture {
    let level: LevelFilter = level.parse().expect("a tracing level");
    let shared = Shared::get();
    let mut held = shared.held.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_empty() {
        shared.logs.0.lock().unwrap().clear();
    }
    held.push(level);
    shared.set_level(&held);
    Capture {
        logs: shared.logs.clone(),
        level,
    }
}
