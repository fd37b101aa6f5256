//! The per-person rate limits the handlers consult before a change
//! (`crate::throttle` holds the rule and the budgets). In memory: a
//! restart forgets them, which costs at most one more burst.

use super::Context;
use crate::ids::UserId;
use crate::refusal::Refusal;
use crate::throttle::{Throttle, CHANGES, OVERRIDES};
use std::sync::Mutex;

/// What a person is spending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spend {
    /// Declaring, or changing an incident (a thread reply and a card refresh).
    Change,
    /// Setting or cancelling an override (topic channel posts and DMs).
    Override,
}

pub struct Throttles(Mutex<(Throttle<UserId>, Throttle<UserId>)>);

impl Default for Throttles {
    fn default() -> Self {
        Throttles(Mutex::new((
            Throttle::new(CHANGES),
            Throttle::new(OVERRIDES),
        )))
    }
}

impl Context {
    /// Spends one of `who`'s `spend` budget now, or the refusal saying when
    /// they can try again.
    pub(super) fn spend(&self, who: &UserId, spend: Spend) -> Result<(), Refusal> {
        let now = self.now();
        let mut both = self.throttles.0.lock().unwrap_or_else(|e| e.into_inner());
        let throttle = match spend {
            Spend::Change => &mut both.0,
            Spend::Override => &mut both.1,
        };
        throttle
            .take(who, now)
            .map_err(|retry_at| Refusal::SlowDown {
                retry_at,
                tz: self.policy.timezone,
            })
    }
}
