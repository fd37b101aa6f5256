//! Crash safety: the real binary is killed with SIGKILL at random moments
//! while people declare incidents, post updates and set overrides, and
//! while reminders fall due, and is started again each time. At the end,
//! everything Slack saw acknowledged is stored, numbers are never reused,
//! no card is posted twice, and every reminder slot was said exactly once
//! (on time, or marked late if it fell due while the bot was down).
//!
//! The bot runs with `BOT_CLOCK_OFFSET_SECS` so that its clock reads a
//! Monday morning whatever time the test runs: the reminders are those of
//! P1 incidents seeded so their response deadlines pass during the run.
//!
//! The kill points come from a seeded generator; `CRASH_SEED=<n>` replays a
//! run.

use crate::support;
use support::kills::{cards, response_reminders, seed_incidents, unsent, Rng};
use support::monday_morning;

use chrono::{DateTime, Utc};
use paas_incident_bot::ids::IncidentNumber;
use paas_incident_bot::policy::Policy;
use paas_incident_bot::store;
use serde_json::Value;
use slack_emulator::Emulator;
use std::collections::{BTreeSet, HashMap};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::incident::{declare_form, ALICE};
use tokio::process::{Child, Command};

const KILLS: usize = 60;
const STEP_WAIT: Duration = Duration::from_secs(5);
const COVER: &str = "cover in-hours <@U0PAASEN1> tomorrow 10:00 to tomorrow 11:00";
/// Who sets the overrides: someone on the in-hours rota, since only
/// responders may (SPEC §2.7); the real binary runs the built-in policy.
const COVERER: &str = "U0PAASEN2";
/// Seeded incidents whose response deadlines pass during the run, and how
/// far apart those deadlines are.
const SEEDED: usize = 30;
const DUE_EVERY_MS: i64 = 150;
/// The first deadline, after the bot's clock reads Monday 10:00.
const FIRST_DUE_MS: i64 = 1500;
/// Long enough that a reminder due meanwhile is reported late.
const DOWNTIME_S: i64 = 300;

/// What the test sent, by envelope id, so acks can be matched to work.
#[derive(Default)]
struct Sent {
    /// view_submission envelope → the title declared.
    declares: HashMap<String, String>,
    /// `/oncall cover` envelopes.
    covers: BTreeSet<String>,
}

fn spawn_bot(slack: &Emulator, db_url: &str, offset_s: i64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_paas-incident-bot"))
        .arg("serve")
        .env("BOT_CLOCK_OFFSET_SECS", offset_s.to_string())
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("DATABASE_URL", db_url)
        .env("PORT", "0")
        .env("RUST_LOG", "error")
        .env_remove("BOT_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts")
}

/// SIGKILL, then waits until the emulator has noticed the socket is gone,
/// so the next envelopes queue for the next process instead.
async fn kill(child: &mut Child, slack: &Emulator) {
    child.kill().await.expect("SIGKILL");
    slack
        .wait_until(STEP_WAIT, |s| s.live_sockets() == 0)
        .await
        .expect("the emulator notices the dead socket");
}

/// Waits for this process's own socket (not a dying one of the last).
async fn wait_connected(slack: &Emulator, opened_before: usize) -> bool {
    slack
        .wait_until(STEP_WAIT, |s| {
            s.connections_opened() > opened_before && s.live_sockets() > 0
        })
        .await
        .is_ok()
}

/// One scripted cycle; returns early, after `delay`, at step `kill_at`.
async fn cycle(
    slack: &Emulator,
    sent: &mut Sent,
    rng: &mut Rng,
    i: usize,
    kill_at: u64,
    delay: Duration,
    opened_before: usize,
) {
    let channel = Policy::builtin().incident_channel.to_string();
    if kill_at == 0 {
        // Killed while starting; an envelope may be queued for the next one.
        if rng.chance(50) {
            let id = slack
                .slash_command("/oncall", COVER, COVERER, "C0PAAS")
                .await
                .unwrap();
            sent.covers.insert(id);
        }
        tokio::time::sleep(delay).await;
        return;
    }
    if !wait_connected(slack, opened_before).await {
        return;
    }
    let title = format!("Crash {i}");
    let views_before = slack.views().len();
    slack
        .slash_command("/incident", &format!("declare {title}"), ALICE, "C0PAAS")
        .await
        .unwrap();
    if kill_at == 1 {
        tokio::time::sleep(delay).await;
        return;
    }
    if slack
        .wait_until(STEP_WAIT, |s| s.views().len() > views_before)
        .await
        .is_err()
    {
        return;
    }
    let view = slack.views().last().cloned().unwrap();
    let id = slack
        .view_submission(
            ALICE,
            &view.view_id,
            declare_form(&title, Some("P2"), Some(ALICE)),
        )
        .await
        .unwrap();
    sent.declares.insert(id.clone(), title);
    if kill_at == 2 {
        tokio::time::sleep(delay).await;
        return;
    }
    let _ = slack.wait_ack(&id, STEP_WAIT).await;
    if rng.chance(50) {
        if let Some(&n) = cards(slack, &channel).keys().last() {
            let text = format!("update INC-{n} Still looking, round {i}");
            let id = slack
                .slash_command("/incident", &text, ALICE, "C0PAAS")
                .await
                .unwrap();
            if kill_at == 3 {
                tokio::time::sleep(delay).await;
                return;
            }
            let _ = slack.wait_ack(&id, STEP_WAIT).await;
        }
    }
    if rng.chance(50) {
        let id = slack
            .slash_command("/oncall", COVER, COVERER, "C0PAAS")
            .await
            .unwrap();
        sent.covers.insert(id.clone());
        if kill_at == 4 {
            tokio::time::sleep(delay).await;
            return;
        }
        let _ = slack.wait_ack(&id, STEP_WAIT).await;
    }
    // Killed while the outbox drains, or once it has.
    tokio::time::sleep(delay).await;
}

/// Response reminders due by `by` that have not fired.
async fn response_reminders_pending(db: &sqlx::AnyPool, by: DateTime<Utc>) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM reminders
         WHERE kind = 'response' AND state = 'pending' AND due_at <= $1",
    )
    .bind(store::time::to_db(by))
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_work_survives_sigkill_at_random_moments() {
    if support::database::sqlite_only(
        "acknowledged_work_survives_sigkill_at_random_moments",
        "on PostgreSQL a restarted bot waits out the killed one's lease \
         (the server cannot know it died), so 60 restarts would take ten \
         minutes; tests/it/failover.rs kills replicas there",
    ) {
        return;
    }
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_C0DE_2026_u64);
    println!("CRASH_SEED={seed}");
    let mut rng = Rng(seed.max(1));
    let started = Instant::now();
    let slack = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let channel = Policy::builtin().incident_channel.to_string();
    let mut sent = Sent::default();
    // Every start gets the same offset, so the bot's clock carries on
    // across restarts from Monday 10:00 at the real rate.
    let t0 = monday_morning();
    let mut offset_s = (t0 - Utc::now()).num_seconds();
    let seeded = seed_incidents(
        &db_url,
        ALICE,
        SEEDED,
        Utc::now()
            + chrono::Duration::seconds(offset_s)
            + chrono::Duration::milliseconds(FIRST_DUE_MS),
        chrono::Duration::milliseconds(DUE_EVERY_MS),
    )
    .await;
    let last_due = seeded.last().unwrap().1;

    // Once, when half the reminders are due, the bot stays down for five
    // minutes of its own time: starting later with a larger offset is the
    // clock moving on while it was dead.
    let halfway = seeded[SEEDED / 2].1;
    let mut down_from = None;
    for i in 0..=KILLS {
        let bot_now = Utc::now() + chrono::Duration::seconds(offset_s);
        if down_from.is_none() && (bot_now >= halfway || i == KILLS) {
            down_from = Some(bot_now);
            offset_s += DOWNTIME_S;
        }
        if i == KILLS {
            break;
        }
        let kill_at = rng.below(6);
        let delay = Duration::from_millis(rng.below(41));
        let opened_before = slack.connections_opened();
        let mut child = spawn_bot(&slack, &db_url, offset_s);
        cycle(
            &slack,
            &mut sent,
            &mut rng,
            i,
            kill_at,
            delay,
            opened_before,
        )
        .await;
        kill(&mut child, &slack).await;
    }

    // A last start that is left alone: queued envelopes arrive and the
    // outbox drains.
    let opened_before = slack.connections_opened();
    let mut child = spawn_bot(&slack, &db_url, offset_s);
    assert!(
        wait_connected(&slack, opened_before).await,
        "the final start connects"
    );
    let db = store::open(&db_url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stored: Vec<i64> = sqlx::query_scalar("SELECT number FROM incidents")
            .fetch_all(&db)
            .await
            .unwrap();
        let posted = cards(&slack, &channel);
        let bot_now = Utc::now() + chrono::Duration::seconds(offset_s);
        let settled = unsent(&db).await == 0
            && stored
                .iter()
                .filter(|n| !seeded.iter().any(|(s, _)| s == *n))
                .all(|n| posted.contains_key(n))
            && bot_now > last_due
            && response_reminders_pending(&db, last_due).await == 0;
        if settled {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never settled: {} unsent, {} response reminders pending, bot clock {bot_now}",
            unsent(&db).await,
            response_reminders_pending(&db, last_due).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Queued envelopes are handled on hello; give them a moment, then make
    // sure their announcements went out too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while unsent(&db).await > 0 {
        assert!(Instant::now() < deadline, "the outbox never drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().await.unwrap();

    let acks: HashMap<String, Option<Value>> = slack
        .acks()
        .into_iter()
        .map(|a| (a.envelope_id, a.payload))
        .collect();

    // Every acknowledged declaration is stored, once.
    let incidents: Vec<(i64, String)> =
        sqlx::query_as("SELECT number, title FROM incidents ORDER BY number")
            .fetch_all(&db)
            .await
            .unwrap();
    let mut by_title: HashMap<&str, Vec<i64>> = HashMap::new();
    for (n, title) in &incidents {
        by_title.entry(title.as_str()).or_default().push(*n);
    }
    for (title, numbers) in &by_title {
        assert_eq!(numbers.len(), 1, "{title} stored as {numbers:?}");
    }
    let mut acked_declares = 0;
    for (id, title) in &sent.declares {
        if let Some(payload) = acks.get(id) {
            assert_eq!(payload, &None, "{title}: the submission was refused");
            acked_declares += 1;
            assert!(
                by_title.contains_key(title.as_str()),
                "{title} was acked but is not stored"
            );
        }
    }
    assert!(incidents.len() - seeded.len() <= sent.declares.len());
    for (n, _) in &incidents {
        let stored = paas_incident_bot::store::incidents::get(&db, IncidentNumber(*n))
            .await
            .unwrap();
        assert!(stored.is_some(), "INC-{n} does not read back");
    }

    // One card per incident, naming the incident stored under that number
    // (a reused number would show a different title).
    let posted = cards(&slack, &channel);
    let titles: HashMap<i64, &str> = incidents.iter().map(|(n, t)| (*n, t.as_str())).collect();
    for (n, headers) in &posted {
        assert_eq!(
            headers.len(),
            1,
            "INC-{n} card posted {} times",
            headers.len()
        );
        let title = titles
            .get(n)
            .unwrap_or_else(|| panic!("a card for INC-{n}, which is not stored"));
        assert_eq!(headers[0], format!("INC-{n}: {title}"));
    }
    for (n, _) in &incidents {
        let was_seeded = seeded.iter().any(|(s, _)| s == n);
        assert!(was_seeded || posted.contains_key(n), "INC-{n} has no card");
    }

    // Every reminder slot said exactly once, and its row marked done; one
    // that fell due while the bot was down says it is late.
    let down_from = down_from.unwrap();
    let down_until = down_from + chrono::Duration::seconds(DOWNTIME_S);
    let (mut late, mut on_time) = (0, 0);
    for (n, due) in &seeded {
        let said = response_reminders(&slack, &channel, *n);
        assert_eq!(said.len(), 1, "INC-{n}'s response reminder (due {due})");
        if *due > down_from && *due <= down_until {
            assert!(said[0].contains("(late by "), "INC-{n}: {}", said[0]);
        }
        let done_at: Option<String> = sqlx::query_scalar(
            "SELECT done_at FROM reminders WHERE subject = $1 AND kind = 'response' AND state = 'done'",
        )
        .bind(format!("incident:{n}"))
        .fetch_optional(&db)
        .await
        .unwrap();
        let done_at = done_at.unwrap_or_else(|| panic!("INC-{n}'s reminder row is not done"));
        let done_at = DateTime::parse_from_rfc3339(&done_at).unwrap();
        if done_at.signed_duration_since(*due) > chrono::Duration::minutes(2) {
            late += 1;
        } else {
            on_time += 1;
        }
    }

    // Every acknowledged override exists, once.
    let overrides: Vec<i64> = sqlx::query_scalar("SELECT id FROM overrides ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(overrides.len() <= sent.covers.len());
    let mut acked_overrides = BTreeSet::new();
    for id in &sent.covers {
        let Some(payload) = acks.get(id) else {
            continue;
        };
        let text = payload
            .as_ref()
            .and_then(|p| p["text"].as_str())
            .unwrap_or_default();
        assert!(text.starts_with("Done. OVR-"), "cover refused: {text}");
        let number: i64 = text["Done. OVR-".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(acked_overrides.insert(number), "OVR-{number} acked twice");
        assert!(
            overrides.contains(&number),
            "OVR-{number} was acked but is not stored"
        );
    }
    db.close().await;

    println!(
        "{KILLS} kills in {:?}: {} incidents ({acked_declares} acked), {} overrides ({} acked), \
         {SEEDED} reminders ({on_time} on time, {late} reported late)",
        started.elapsed(),
        incidents.len() - seeded.len(),
        overrides.len(),
        acked_overrides.len()
    );
    assert!(
        late > 0 && on_time > 0,
        "reminders fired both on time and late"
    );
    assert!(
        acked_declares >= KILLS / 4,
        "too few declarations got through to test much"
    );
}
