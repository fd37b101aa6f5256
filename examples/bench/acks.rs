//! Open-loop ack latency: envelopes go out on a fixed schedule whether or
//! not earlier ones were acked, so a slow bot shows up as latency rather
//! than as a lower send rate.

use crate::stats::{summarise, Summary};
use slack_emulator::Emulator;
use std::time::Duration;
use tokio::time::{interval, MissedTickBehavior};

const ACK_WAIT: Duration = Duration::from_secs(30);

/// Sends `count` envelopes at `per_sec`, made by `send`, and summarises
/// the emulator's measured ack latencies.
pub async fn paced<F, Fut>(slack: &Emulator, per_sec: u32, count: usize, mut send: F) -> Summary
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    let mut tick = interval(Duration::from_secs(1) / per_sec);
    // Burst: a late tick is caught up at once, keeping the schedule open-loop.
    tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        tick.tick().await;
        ids.push(send(i).await.expect("envelope sent"));
    }
    let mut latencies = Vec::with_capacity(count);
    for id in ids {
        let ack = slack
            .wait_ack(&id, ACK_WAIT)
            .await
            .expect("every envelope is acked");
        latencies.push(ack.latency);
    }
    summarise(latencies)
}
