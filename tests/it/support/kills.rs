//! What the kill tests share (`crash.rs`: one bot killed 60 times;
//! `failover.rs`: two replicas on PostgreSQL, the leader killed 20 times):
//! a seeded generator for kill moments, P1 incidents seeded so their
//! response deadlines pass during the run, and readings of what Slack and
//! the database hold at the end.

use chrono::{DateTime, Duration, Utc};
use paas_incident_bot::ids::{IncidentNumber, UserId};
use paas_incident_bot::incident::{self, Declaration, Title};
use paas_incident_bot::policy::Policy;
use paas_incident_bot::priority::Priority;
use paas_incident_bot::reminders::{self, Kind};
use paas_incident_bot::store;
use slack_emulator::Emulator;
use sqlx::AnyPool;
use std::collections::{BTreeMap, BTreeSet};

/// xorshift64*: small, seeded, good enough to pick kill points.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Inserts `count` unacknowledged P1 incidents, declared by `by`, whose
/// response deadlines fall at `first` and every `every` after; returns the
/// number and deadline of each.
pub async fn seed_incidents(
    db_url: &str,
    by: &str,
    count: usize,
    first: DateTime<Utc>,
    every: Duration,
) -> Vec<(i64, DateTime<Utc>)> {
    let policy = Policy::builtin();
    let calendar = policy.calendar();
    let pool = store::open(db_url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let mut seeded = Vec::new();
    for k in 0..count {
        let due = first + every * k as i32;
        // The built-in policy's in-hours P1 response time.
        let declared_at = due - Duration::minutes(20);
        let declaration = Declaration {
            title: Title::parse(&format!("Seeded {k}")).unwrap(),
            description: String::new(),
            priority: Priority::P1,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: UserId::parse(by).unwrap(),
        };
        let (incident, _) = incident::declare(declaration, IncidentNumber(0), declared_at);
        let planned = reminders::plan(&policy, &calendar, &incident, declared_at);
        assert!(
            planned
                .iter()
                .any(|p| p.kind == Kind::Response && p.due == due),
            "a seeded P1 is owed its response reminder at {due}: {planned:?}"
        );
        let number = store::incidents::insert(&mut tx, &incident).await.unwrap();
        seeded.push((number.0, due));
    }
    tx.commit().await.unwrap();
    pool.close().await;
    seeded
}

/// Every `INC-N:` in `text`.
pub fn numbers_in(text: &str) -> Vec<i64> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("INC-") {
        rest = &rest[at + 4..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with(':') {
            found.push(digits.parse().unwrap());
        }
    }
    found
}

/// Top-level messages in `channel` whose blocks name `INC-N:`, with the
/// header text, per N.
pub fn cards(slack: &Emulator, channel: &str) -> BTreeMap<i64, Vec<String>> {
    let mut cards: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for m in slack.messages(channel) {
        if m.thread_ts.as_ref().is_some_and(|t| *t != m.ts) {
            continue;
        }
        let numbers: BTreeSet<i64> = numbers_in(&m.blocks.to_string()).into_iter().collect();
        for n in numbers {
            let header = m.blocks[0]["text"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            cards.entry(n).or_default().push(header);
        }
    }
    cards
}

/// Messages anywhere in `channel` saying INC-N's response time has passed.
pub fn response_reminders(slack: &Emulator, channel: &str, n: i64) -> Vec<String> {
    let needle = format!("INC-{n} (P1) has not been acknowledged");
    slack
        .messages(channel)
        .into_iter()
        .filter(|m| m.text.contains(&needle))
        .map(|m| m.text)
        .collect()
}

/// Outbox rows not yet sent.
pub async fn unsent(db: &AnyPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(db)
        .await
        .unwrap()
}
