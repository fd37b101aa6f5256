//! Scripted failures: the next N calls of a method (or every call, until
//! lifted) are rate limited or answered with an error code, before the
//! method does anything, or have their response lost after it has.

use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fault {
    /// HTTP 429 with `Retry-After: secs`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 200 `{"ok":false,"error":code}`.
    Error(String),
    /// The method runs, then the response is lost: HTTP 502 with no body,
    /// as a proxy answers when the connection drops mid-response.
    LoseResponse,
}

#[derive(Default)]
pub(crate) struct Faults {
    pending: HashMap<String, VecDeque<Fault>>,
    /// Faults every call meets until they are lifted (an outage).
    standing: HashMap<String, Fault>,
    /// Per-method rate limits in windows, as Slack applies them.
    windows: HashMap<String, Window>,
}

/// Slack's rate limiting of a method: so many calls answered per window
/// (a minute, for Slack's tiers), the rest HTTP 429 with `Retry-After`
/// until the window rolls over. The window rolls when the test says (it
/// moves the bot's clock by `retry_after_secs` alongside), so no test
/// waits for real time to pass.
#[derive(Debug, Clone)]
struct Window {
    allowed: usize,
    used: usize,
    retry_after_secs: u64,
}

impl Faults {
    pub fn push(&mut self, method: &str, fault: Fault, times: usize) {
        let queue = self.pending.entry(method.to_owned()).or_default();
        queue.extend((0..times).map(|_| fault.clone()));
    }

    pub fn stand(&mut self, method: &str, fault: Option<Fault>) {
        match fault {
            Some(fault) => self.standing.insert(method.to_owned(), fault),
            None => self.standing.remove(method),
        };
    }

    /// Limits `method` to `allowed` calls per window from now on (None
    /// lifts the limit).
    pub fn limit(&mut self, method: &str, per_window: Option<(usize, u64)>) {
        match per_window {
            Some((allowed, retry_after_secs)) => self.windows.insert(
                method.to_owned(),
                Window {
                    allowed,
                    used: 0,
                    retry_after_secs,
                },
            ),
            None => self.windows.remove(method),
        };
    }

    /// A new window starts for every limited method.
    pub fn roll_windows(&mut self) {
        self.windows.values_mut().for_each(|w| w.used = 0);
    }

    /// The fault for this call, if one is scripted (consumed), standing, or
    /// the method's window is used up (else the call counts against it).
    pub fn take(&mut self, method: &str) -> Option<Fault> {
        let scripted = self
            .pending
            .get_mut(method)
            .and_then(VecDeque::pop_front)
            .or_else(|| self.standing.get(method).cloned());
        if scripted.is_some() {
            return scripted;
        }
        let window = self.windows.get_mut(method)?;
        if window.used >= window.allowed {
            return Some(Fault::RateLimited {
                retry_after_secs: window.retry_after_secs,
            });
        }
        window.used += 1;
        None
    }
}
