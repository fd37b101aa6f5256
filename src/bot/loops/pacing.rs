//! Paces messages to one channel: Slack allows about one message per
//! second per channel and answers a burst with HTTP 429. Alert storms
//! (SPEC §6) are the burst, so their posts and edits wait their turn here
//! rather than meet the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A little over Slack's one a second, so a channel never sees two within
/// one second.
pub const GAP: Duration = Duration::from_millis(1100);

/// The next free slot per channel.
#[derive(Default)]
pub struct Pacing {
    next: Mutex<HashMap<String, Instant>>,
}

impl Pacing {
    /// Waits for `channel`'s next slot and takes it. Slots are handed out
    /// in the order asked for.
    pub async fn turn(&self, channel: &str) {
        let slot = {
            let mut next = self.next.lock().expect("pacing lock");
            let now = Instant::now();
            let slot = next.get(channel).copied().unwrap_or(now).max(now);
            next.insert(channel.to_owned(), slot + GAP);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn turns_in_one_channel_are_a_gap_apart_and_channels_do_not_wait_on_each_other() {
        let pacing = Pacing::default();
        let start = Instant::now();
        pacing.turn("C1").await;
        pacing.turn("C2").await;
        assert_eq!(Instant::now(), start);
        pacing.turn("C1").await;
        assert_eq!(Instant::now() - start, GAP);
        pacing.turn("C1").await;
        assert_eq!(Instant::now() - start, GAP * 2);
    }
}
