//! `/oncall`, overrides and channel topics through Slack, on a driven clock,
//! with the built-in GOV.UK PaaS policy. On Monday 23 Nov 2026 the rotas are
//! in their fourth week since 2 Nov: in hours U0PAASEN4, out of hours
//! U0PAASEN2, comms U0PAASCM2, escalation U0PAASSC2.

use crate::support;

use chrono::{Duration, Timelike};
use support::{monday_morning, TestApp, WAIT};

const TOPIC_CHANNEL: &str = "C0PAAS";

fn text(payload: &serde_json::Value) -> String {
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    payload["text"].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    async fn oncall(&self, args: &str, user: &str) -> String {
        text(&self.command("/oncall", args, user).await)
    }

    async fn topic_contains(&self, needle: &str) {
        let needle = needle.to_owned();
        self.slack
            .wait_until(WAIT, |s| s.topic(TOPIC_CHANNEL).contains(&needle))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "topic never contained {needle:?}: {:?}",
                    self.slack.topic(TOPIC_CHANNEL)
                )
            });
    }
}

#[tokio::test]
async fn oncall_names_who_covers_each_rota_now_and_next() {
    let mut app = TestApp::start().await;
    let now = app.oncall("", "U0ALICE").await;
    assert!(now.contains("*in-hours*: <@U0PAASEN4>"), "{now}");
    assert!(now.contains("*comms*: <@U0PAASCM2>"), "{now}");
    assert!(now.contains("*escalation*: <@U0PAASSC2>"), "{now}");
    assert!(
        now.contains("*out-of-hours*: not covering now · next <@U0PAASEN2>"),
        "{now}"
    );
    assert!(
        now.contains("<!date^"),
        "times use Slack date formatting: {now}"
    );

    let rota = app.oncall("in-hours", "U0ALICE").await;
    assert!(rota.contains("<@U0PAASEN4>"), "{rota}");
    assert_eq!(rota.matches("\n• ").count(), 7, "the next 7 shifts: {rota}");

    let later = app.oncall("at 2026-12-01 20:00", "U0ALICE").await;
    assert!(later.contains("*out-of-hours*: <@U0PAASEN3>"), "{later}");

    let typo = app.oncall("in-hour", "U0ALICE").await;
    assert!(
        typo.contains("in-hours"),
        "suggests the closest rota: {typo}"
    );
    let past = app
        .oncall(
            "cover in-hours <@U0PAASEN1> 2026-11-20 09:00 to 2026-11-20 17:00",
            "U0ALICE",
        )
        .await;
    assert!(past.to_lowercase().contains("past"), "{past}");
    app.stop().await;
}

#[tokio::test]
async fn an_override_changes_the_answer_and_the_topic_and_is_announced() {
    let mut app = TestApp::start().await;
    app.topic_contains("in hours <@U0PAASEN4>").await;
    let done = app
        .oncall(
            "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
            "U0PAASCM1",
        )
        .await;
    assert!(done.contains("OVR-1"), "{done}");
    // Announced in the rota's channel, and the covered person told by DM.
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            s.messages(TOPIC_CHANNEL)
                .iter()
                .any(|m| m.text.contains("OVR-1"))
        })
        .await
        .expect("announced in the topic channel");
    slack
        .wait_until(WAIT, |s| !s.dms("U0PAASEN4").is_empty())
        .await
        .expect("the covered person is told");

    app.clock.set(monday_morning() + Duration::hours(1));
    let now = app.oncall("", "U0ALICE").await;
    assert!(
        now.contains("*in-hours*: <@U0PAASEN1> (cover OVR-1)"),
        "{now}"
    );
    app.topic_contains("in hours <@U0PAASEN1>").await;

    // Nobody else may cancel it; the covered person may.
    let refused = app.oncall("cancel OVR-1", "U0STRANGER").await;
    assert!(refused.contains("Only"), "{refused}");
    let cancelled = app.oncall("cancel OVR-1", "U0PAASEN4").await;
    assert!(cancelled.contains("cancelled"), "{cancelled}");
    app.topic_contains("in hours <@U0PAASEN4>").await;
    let listed = app.oncall("overrides", "U0ALICE").await;
    assert!(
        listed.contains("No current or coming overrides"),
        "{listed}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_topic_keeps_peoples_text_and_stays_within_250_characters() {
    let mut app = TestApp::start().await;
    app.topic_contains("[On call:").await;
    let theirs =
        "Runbooks: https://example.org/paas/runbooks | ask questions in #paas-support | ".repeat(3);
    let current = app.slack.topic(TOPIC_CHANNEL);
    app.slack
        .set_topic_by_person(TOPIC_CHANNEL, &format!("{theirs}{current}"));
    app.oncall(
        "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
        "U0PAASEN4",
    )
    .await;
    app.clock.set(monday_morning() + Duration::hours(1));
    app.topic_contains("<@U0PAASEN1>").await;
    let topic = app.slack.topic(TOPIC_CHANNEL);
    assert!(
        topic.chars().count() <= 250,
        "{} chars: {topic}",
        topic.chars().count()
    );
    assert!(
        topic.starts_with("Runbooks: https://example.org/paas/runbooks"),
        "{topic}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_simulated_week_sets_the_topic_only_when_it_changes() {
    let mut app = TestApp::start().await;
    app.topic_contains("in hours <@U0PAASEN4>").await;
    for hour in 1..=24 * 7 {
        let at = monday_morning() + Duration::hours(hour);
        app.clock.set(at);
        let local_hour = at.hour(); // GMT in November: UTC is local time
        let weekday = at.format("%a").to_string();
        let working = !matches!(weekday.as_str(), "Sat" | "Sun");
        let in_hours = working && (9..17).contains(&local_hour);
        let expect = if in_hours {
            "in hours <@U0PAASEN"
        } else {
            "in hours nobody"
        };
        app.topic_contains(expect).await;
    }
    let sets: Vec<String> = app
        .slack
        .calls_to("conversations.setTopic")
        .iter()
        .map(|c| c.params["topic"].as_str().unwrap_or_default().to_owned())
        .collect();
    for pair in sets.windows(2) {
        assert_ne!(pair[0], pair[1], "a setTopic call changed nothing");
    }
    // Start-up, then 09:00 and 17:00 on five working days, plus the Monday
    // handover of the week after: 12 at most.
    assert!(sets.len() <= 12, "{} setTopic calls: {sets:#?}", sets.len());
    app.stop().await;
}

#[tokio::test]
async fn the_user_group_follows_whoever_covers_now() {
    let toml = include_str!("../../config/gov-uk-paas.toml").replacen(
        "name = \"in-hours\"\n",
        "name = \"in-hours\"\nusergroup = \"S0PAASSUP\"\n",
        1,
    );
    let policy = paas_incident_bot::policy::Policy::from_toml(&toml).unwrap();
    let mut app = TestApp::start_with(policy, monday_morning()).await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| s.usergroup_members("S0PAASSUP") == ["U0PAASEN4"])
        .await
        .expect("the group holds the in-hours engineer");
    app.oncall(
        "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
        "U0PAASEN4",
    )
    .await;
    app.clock.set(monday_morning() + Duration::hours(1));
    slack
        .wait_until(WAIT, |s| s.usergroup_members("S0PAASSUP") == ["U0PAASEN1"])
        .await
        .expect("the group follows the override");
    app.stop().await;
}

/// The in-hours rota with its user group set to `group`.
fn in_hours_with_group(group: &str) -> paas_incident_bot::policy::Policy {
    let toml = include_str!("../../config/gov-uk-paas.toml").replacen(
        "name = \"in-hours\"\n",
        &format!("name = \"in-hours\"\nusergroup = \"{group}\"\n"),
        1,
    );
    paas_incident_bot::policy::Policy::from_toml(&toml).unwrap()
}

/// Waits for one warn line about `group` that says `why`, and checks the
/// group still holds `members`.
async fn group_kept(
    app: &TestApp,
    logs: &support::logs::Capture,
    group: &str,
    why: &str,
    at: chrono::DateTime<chrono::Utc>,
) {
    let refused = |text: String| {
        text.lines()
            .filter(|l| l.contains("WARN") && l.contains(group) && l.contains(why))
            .count()
    };
    support::eventually("the refusal logged", || refused(logs.text()) > 0).await;
    assert_eq!(app.slack.usergroup_members(group), ["U0PAASEN4"]);
    // Later passes keep it and do not log it again.
    app.clock.set(at + Duration::minutes(2));
    app.clock.set(at + Duration::minutes(4));
    assert_eq!(app.slack.usergroup_members(group), ["U0PAASEN4"]);
    assert_eq!(refused(logs.text()), 1, "{}", logs.text());
}

#[tokio::test]
async fn the_user_group_is_not_set_to_someone_slack_does_not_know() {
    let logs = support::logs::capture("warn");
    let mut app = TestApp::start_with(in_hours_with_group("S0UGUNKNOWN"), monday_morning()).await;
    app.slack
        .wait_until(WAIT, |s| {
            s.usergroup_members("S0UGUNKNOWN") == ["U0PAASEN4"]
        })
        .await
        .expect("the group holds the in-hours engineer");
    app.oncall(
        "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00",
        "U0PAASEN4",
    )
    .await;
    app.slack.forget_user("U0PAASEN1");
    let at = monday_morning() + Duration::hours(1);
    app.clock.set(at);
    group_kept(&app, &logs, "S0UGUNKNOWN", "does not know", at).await;
    app.stop().await;
}

#[tokio::test]
async fn the_user_group_is_not_emptied_when_nobody_covers() {
    let logs = support::logs::capture("warn");
    let mut app = TestApp::start_with(in_hours_with_group("S0UGNOBODY"), monday_morning()).await;
    app.slack
        .wait_until(WAIT, |s| s.usergroup_members("S0UGNOBODY") == ["U0PAASEN4"])
        .await
        .expect("the group holds the in-hours engineer");
    // 18:00: out of hours, nobody covers in-hours.
    let at = monday_morning() + Duration::hours(8);
    app.clock.set(at);
    group_kept(&app, &logs, "S0UGNOBODY", "nobody covers", at).await;
    let sets = app.slack.calls_to("usergroups.users.update");
    assert!(
        sets.iter().all(|c| c.params["users"] != ""),
        "an empty update was sent: {sets:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn handovers_are_posted_at_the_start_and_end_of_the_support_week() {
    // Friday 27 Nov 2026, 16:00: the week ends at 17:00, the next starts
    // Monday 30 Nov 09:00 with U0PAASEN1 on in hours.
    let friday = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 16, 0, 0).unwrap();
    let mut app = TestApp::start_with(paas_incident_bot::policy::Policy::builtin(), friday).await;
    app.declare("Billing smoke tests failing", "P3").await;
    let said = |needle: &'static str| {
        let slack = app.slack.clone();
        async move {
            slack
                .wait_until(WAIT, |s| {
                    s.messages(TOPIC_CHANNEL)
                        .iter()
                        .any(|m| m.text.contains(needle))
                })
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "never posted {needle:?}: {:#?}",
                        slack
                            .messages(TOPIC_CHANNEL)
                            .iter()
                            .map(|m| m.text.clone())
                            .collect::<Vec<_>>()
                    )
                })
        }
    };
    app.clock.set(friday + Duration::hours(1));
    said("End of the support week on *in-hours*: <@U0PAASEN4> hands over to <@U0PAASEN1>").await;
    app.clock.set(friday + Duration::hours(65)); // Monday 09:00
    said("*in-hours* handover: <@U0PAASEN4> → <@U0PAASEN1>").await;
    said("*out-of-hours* handover: <@U0PAASEN2> → <@U0PAASEN3>").await;
    let handover = app
        .slack
        .messages(TOPIC_CHANNEL)
        .into_iter()
        .find(|m| m.text.contains("*in-hours* handover"))
        .unwrap();
    assert!(
        handover.text.contains("INC-1"),
        "lists open incidents: {}",
        handover.text
    );
    let posts = app
        .slack
        .messages(TOPIC_CHANNEL)
        .iter()
        .filter(|m| m.text.contains("*in-hours* handover"))
        .count();
    assert_eq!(posts, 1);
    app.stop().await;
}

#[tokio::test]
async fn lookups_answer_from_memory_kept_current_by_the_writes() {
    let mut app = TestApp::start().await;
    let cover = "cover in-hours <@U0PAASEN1> today 11:00 to today 13:00";
    assert!(app.oncall(cover, "U0ALICE").await.contains("OVR-1"));
    app.declare("Routers down", "P2").await;
    // The tables the lookups come from, gone: an answer from the database
    // would now be an apology.
    let other = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    for table in ["overrides", "incidents"] {
        sqlx::query(&format!("ALTER TABLE {table} RENAME TO {table}_gone"))
            .execute(&other)
            .await
            .unwrap();
    }
    let overrides = app.oncall("overrides", "U0BOB").await;
    assert!(overrides.contains("OVR-1"), "{overrides}");
    app.clock.set(monday_morning() + Duration::hours(2));
    let now = app.oncall("in-hours", "U0BOB").await;
    assert!(now.contains("U0PAASEN1"), "{now}");
    let list = text(&app.command("/incident", "list", "U0BOB").await);
    assert!(
        list.contains("INC-1") && list.contains("Routers down"),
        "{list}"
    );
    app.stop().await;
}
