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

    /// The fault for this call, if one is scripted (consumed) or standing.
    pub fn take(&mut self, method: &str) -> Option<Fault> {
        self.pending
            .get_mut(method)
            .and_then(VecDeque::pop_front)
            .or_else(|| self.standing.get(method).cloned())
    }
}
