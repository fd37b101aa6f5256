//! Publishing to the status page (SPEC §5), through both emulators: the
//! Slack one for the card, modal and thread, the Statuspage one for what
//! the public sees. Time moves only when a test moves the bot's clock,
//! which the Statuspage emulator reads too (its rate limit, Retry-After).

use crate::support::incident::{declare_form, ALICE};
use crate::support::{logs, monday_morning, TestApp, WAIT};
use paas_incident_bot::clock::Clock;
use paas_incident_bot::policy::Policy;
use serde_json::{json, Value};
use slack_emulator::{Emulator, StatusPage, StatusPageFault};
use std::process::Stdio;
use std::time::Instant;
use tokio::process::Child;
use tokio::process::Command;

const KEY: &str = "sp-key-5ecret-do-not-log";
const PAGE: &str = "kctbh9vrtdwd";

/// The built-in policy with a `[statuspage]` section for `sp`.
fn policy_text(sp: &StatusPage) -> String {
    format!(
        "{}\n[statuspage]\npage_id = \"{PAGE}\"\napi_url = \"{}\"\ncomponents = {{ \"Apps\" = \"cmp1\", \"API\" = \"cmp2\" }}\npublish_priorities = [\"P1\", \"P2\", \"P3\"]\npublishers = []\n[statuspage.impact]\nP1 = {{ impact = \"critical\", component_status = \"major_outage\" }}\nP2 = {{ impact = \"major\", component_status = \"partial_outage\" }}\nP3 = {{ impact = \"minor\", component_status = \"degraded_performance\" }}\n",
        include_str!("../../config/gov-uk-paas.toml"),
        sp.api_url()
    )
}

fn policy(sp: &StatusPage) -> Policy {
    Policy::from_toml(&policy_text(sp)).unwrap()
}

async fn start_with_key(key: &str) -> (TestApp, StatusPage) {
    start_keyed_at(key, monday_morning()).await
}

async fn start_keyed_at(key: &str, now: chrono::DateTime<chrono::Utc>) -> (TestApp, StatusPage) {
    let sp = StatusPage::start(PAGE, KEY, &[("cmp1", "Apps"), ("cmp2", "API")])
        .await
        .unwrap();
    let app = TestApp::start_keyed(policy(&sp), now, Some(key)).await;
    let clock = app.clock.clone();
    sp.use_clock(move || clock.now());
    (app, sp)
}

async fn start() -> (TestApp, StatusPage) {
    start_with_key(KEY).await
}

/// The publish modal's `state.values`, as Slack sends them.
fn form(status: &str, message: &str, affected: &[(&str, &str)]) -> Value {
    let option = |v: &str| json!({"text": {"type": "plain_text", "text": v}, "value": v});
    let mut values = json!({
        "public_title": {"public_title": {"type": "plain_text_input", "value": "Apps unavailable"}},
        "public_message": {"public_message": {"type": "plain_text_input", "value": message}},
        "public_components": {"public_components": {"type": "checkboxes",
            "selected_options": affected.iter().map(|(id, _)| option(id)).collect::<Vec<_>>()}},
        "notify": {"notify": {"type": "checkboxes", "selected_options": [option("notify")]}},
    });
    if !status.is_empty() {
        values["public_status"] =
            json!({"public_status": {"type": "static_select", "selected_option": option(status)}});
    }
    for (id, status) in affected {
        let block = format!("component:{id}");
        values[&block] =
            json!({ block.clone(): {"type": "static_select", "selected_option": option(status)}});
    }
    values
}

impl TestApp {
    /// Presses `action` (publish or resolve-publicly) for incident `number`
    /// on the message at `ts` as `user`, then submits the modal that opens
    /// with `values`; returns the submission's ack payload.
    async fn publish_via(
        &self,
        user: &str,
        ts: &str,
        action: &str,
        number: u32,
        values: Value,
    ) -> Option<Value> {
        let before = self.slack.views().len();
        self.press(user, ts, action, &number.to_string()).await;
        let slack = self.slack.clone();
        slack
            .wait_until(WAIT, |s| s.views().len() > before)
            .await
            .expect("the publish modal opens");
        let view = self.slack.views().last().cloned().unwrap();
        let id = self
            .slack
            .view_submission(user, &view.view_id, values)
            .await
            .unwrap();
        self.slack.wait_ack(&id, WAIT).await.unwrap().payload
    }

    /// Publishes INC-1 from its card.
    async fn publish(&self, user: &str, card: &str, values: Value) -> Option<Value> {
        self.publish_via(user, card, "incident.publish", 1, values)
            .await
    }
}

async fn incidents_become(sp: &StatusPage, n: usize) {
    sp.wait_until(WAIT, |s| s.incidents().len() == n)
        .await
        .unwrap_or_else(|_| panic!("expected {n} public incidents: {:#?}", sp.requests()));
}

async fn requests_become(sp: &StatusPage, n: usize) {
    sp.wait_until(WAIT, |s| s.requests().len() >= n)
        .await
        .unwrap_or_else(|_| panic!("expected {n} requests: {:#?}", sp.requests()));
}

#[tokio::test]
async fn the_first_publication_creates_later_ones_update_and_the_card_links_it() {
    let (app, sp) = start().await;
    let card = app.declare("Apps down in London", "P1").await;
    let submitted = Instant::now();
    let ack = app
        .publish(
            ALICE,
            &card,
            form(
                "investigating",
                "Some apps return errors.",
                &[("cmp1", "major_outage")],
            ),
        )
        .await;
    assert_eq!(ack, None, "a good submission closes the modal");
    app.card_shows(&card, "https://stspg.io/").await;
    let submit_to_link = submitted.elapsed();
    let public = &sp.incidents()[0];
    assert_eq!(public["name"], "Apps unavailable");
    assert_eq!(public["status"], "investigating");
    assert_eq!(public["impact"], "critical");
    assert_eq!(sp.component_status("cmp1").as_deref(), Some("major_outage"));
    assert_eq!(sp.component_status("cmp2").as_deref(), Some("operational"));
    assert_eq!(
        public["incident_updates"][0]["body"],
        "Some apps return errors."
    );
    assert_eq!(public["incident_updates"][0]["deliver_notifications"], true);
    app.thread_says(&card, "published to the status page").await;
    app.card_shows(&card, "last public update").await;

    app.clock.advance(chrono::Duration::minutes(20));
    app.publish(
        ALICE,
        &card,
        form(
            "identified",
            "We know the cause; fixing it.",
            &[("cmp1", "partial_outage")],
        ),
    )
    .await;
    sp.wait_until(WAIT, |s| s.incidents()[0]["status"] == "identified")
        .await
        .unwrap();
    assert_eq!(
        sp.incidents().len(),
        1,
        "an update is not a second incident"
    );
    assert_eq!(
        sp.component_status("cmp1").as_deref(),
        Some("partial_outage")
    );
    app.thread_says(&card, "We know the cause").await;
    let methods: Vec<String> = sp.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["POST", "PATCH"], "one request per publication");
    let report = app.command("/incident", "report INC-1", ALICE).await;
    let _ = report;
    app.thread_says(&card, "Public updates (status page)").await;
    println!(
        "figures: {} requests for 2 publications; submit to card link {:?}",
        sp.requests().len(),
        submit_to_link
    );
}

#[tokio::test]
async fn resolving_offers_to_resolve_publicly_and_restores_only_what_it_changed() {
    let (app, sp) = start().await;
    // Someone else's incident has API degraded: this one must leave it be.
    sp.set_component("cmp2", "degraded_performance");
    let card = app.declare("Apps down", "P1").await;
    app.publish(
        ALICE,
        &card,
        form(
            "investigating",
            "Apps are down.",
            &[("cmp1", "major_outage")],
        ),
    )
    .await;
    incidents_become(&sp, 1).await;
    // Said once the bot has stored which public incident it made: the
    // page having it is not enough to resolve against.
    app.thread_says(&card, "published to the status page").await;
    app.clock.advance(chrono::Duration::minutes(30));
    app.command("/incident", "resolve INC-1 Routers restarted", ALICE)
        .await;
    app.thread_says(&card, "still open on the status page")
        .await;
    let prompt = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("still open on the status page"))
        .unwrap();
    let ack = app
        .publish_via(
            ALICE,
            &prompt.ts,
            "incident.publish_resolve",
            1,
            form("", "All fixed.", &[]),
        )
        .await;
    assert_eq!(ack, None);
    sp.wait_until(WAIT, |s| s.incidents()[0]["status"] == "resolved")
        .await
        .unwrap();
    assert_eq!(sp.component_status("cmp1").as_deref(), Some("operational"));
    assert_eq!(
        sp.component_status("cmp2").as_deref(),
        Some("degraded_performance")
    );
    app.thread_says(&card, "(*Resolved*)").await;
}

#[tokio::test]
async fn someone_who_may_not_publish_is_told_who_may_and_nothing_is_sent() {
    // On a rota, so a responder, but neither a lead nor an admin: the
    // tests' own people are admins (see `TestApp::start_keyed`).
    const ENGINEER: &str = "U0PAASEN1";
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    let views = app.slack.views().len();
    app.press(ENGINEER, &card, "incident.publish", "1").await;
    let channel = app.incident_channel();
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| !s.ephemerals(&channel, ENGINEER).is_empty())
        .await
        .expect("the engineer is told");
    let told = &app.slack.ephemerals(&channel, ENGINEER)[0].text;
    assert!(
        told.contains("Only") && told.contains(&format!("<@{ALICE}>")),
        "{told}"
    );
    assert!(told.contains("U0PAASDM1"), "admins may publish too: {told}");
    assert_eq!(app.slack.views().len(), views, "no modal for the engineer");
    assert!(sp.requests().is_empty());
}

#[tokio::test]
async fn a_429_is_waited_out_and_a_5xx_is_looked_up_then_retried_once() {
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    sp.inject(
        "POST",
        StatusPageFault::Status {
            status: 429,
            message: "Rate limit".into(),
            retry_after_secs: Some(30),
        },
    );
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    requests_become(&sp, 1).await;
    assert_eq!(sp.requests()[0].status, 429);
    assert!(
        sp.incidents().is_empty(),
        "nothing until Retry-After has passed"
    );
    app.clock.advance(chrono::Duration::seconds(30));
    incidents_become(&sp, 1).await;
    app.card_shows(&card, "https://stspg.io/").await;

    app.clock.advance(chrono::Duration::minutes(10));
    sp.inject(
        "PATCH",
        StatusPageFault::Status {
            status: 503,
            message: "Service Unavailable".into(),
            retry_after_secs: None,
        },
    );
    app.publish(
        ALICE,
        &card,
        form("identified", "Found it.", &[("cmp1", "major_outage")]),
    )
    .await;
    requests_become(&sp, 3).await;
    assert_eq!(sp.requests()[2].status, 503);
    // Back-off, then a look among the unresolved, then (paced) the retry.
    app.clock.advance(chrono::Duration::seconds(10));
    requests_become(&sp, 4).await;
    app.clock.advance(chrono::Duration::seconds(1));
    sp.wait_until(WAIT, |s| s.incidents()[0]["status"] == "identified")
        .await
        .unwrap();
    let seen: Vec<(String, u16)> = sp
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".into(), 429),
            ("POST".into(), 201),
            ("PATCH".into(), 503),
            ("GET".into(), 200),
            ("PATCH".into(), 200)
        ]
    );
    assert_eq!(
        sp.incidents()[0]["incident_updates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_bad_key_is_shown_to_the_person_with_statuspages_words() {
    let (app, sp) = start_with_key("not-the-key").await;
    let card = app.declare("Apps down", "P1").await;
    app.publish(ALICE, &card, form("investigating", "Down.", &[]))
        .await;
    let channel = app.incident_channel();
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| {
            s.ephemerals(&channel, ALICE)
                .iter()
                .any(|e| e.text.contains("Could not authenticate"))
        })
        .await
        .expect("Alice is told what Statuspage said");
    let told: Vec<String> = app
        .slack
        .ephemerals(&channel, ALICE)
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(told.iter().any(|t| t.contains("(401)")), "{told:?}");
    assert!(sp.incidents().is_empty());
    assert_eq!(sp.requests().len(), 1, "a refusal is not retried");
}

#[tokio::test]
async fn an_answer_lost_after_the_commit_leaves_exactly_one_public_incident() {
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    sp.inject("POST", StatusPageFault::DropAfterCommit);
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    requests_become(&sp, 1).await;
    app.clock.advance(chrono::Duration::seconds(10));
    app.card_shows(&card, "https://stspg.io/").await;
    assert_eq!(sp.incidents().len(), 1);
    let methods: Vec<String> = sp.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(
        methods,
        ["POST", "GET"],
        "found among the unresolved, not created again"
    );
}

#[tokio::test]
async fn a_restart_between_the_request_and_its_answer_leaves_exactly_one_public_incident() {
    let (mut app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    sp.inject("POST", StatusPageFault::HoldAfterCommit);
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    requests_become(&sp, 1).await;
    incidents_become(&sp, 1).await;
    // The bot goes away with the request unanswered, and comes back.
    app.restart().await;
    // The new process does not know when the last request went, so its
    // first may meet the rate limit: it waits out the Retry-After.
    requests_become(&sp, 2).await;
    app.clock.advance(chrono::Duration::seconds(1));
    app.card_shows(&card, "https://stspg.io/").await;
    assert_eq!(sp.incidents().len(), 1);
    let seen: Vec<(String, u16)> = sp
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [("POST".into(), 0), ("GET".into(), 429), ("GET".into(), 200)]
    );
    assert_eq!(app.thread_count(&card, "published to the status page"), 1);
}

#[tokio::test]
async fn the_key_never_reaches_a_log_line_even_at_trace() {
    let logs = logs::capture("trace");
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    app.publish(ALICE, &card, form("investigating", "Down.", &[]))
        .await;
    incidents_become(&sp, 1).await;
    app.card_shows(&card, "https://stspg.io/").await;
    let text = logs.text();
    assert!(
        text.contains("statuspage request"),
        "the capture saw the publish"
    );
    assert!(!text.contains(KEY), "the key was logged");
    assert!(!text.contains("5ecret"), "part of the key was logged");
}

#[tokio::test]
async fn the_update_due_reminder_names_the_last_public_update_and_carries_the_button() {
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    incidents_become(&sp, 1).await;
    app.card_shows(&card, "https://stspg.io/").await;
    // P1: an update every hour.
    app.clock.advance(chrono::Duration::minutes(61));
    app.thread_says(&card, "Last public update on the status page")
        .await;
    let reminder = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("Last public update on the status page"))
        .unwrap();
    assert!(
        reminder.blocks.to_string().contains("incident.publish"),
        "{}",
        reminder.blocks
    );
    assert_eq!(sp.incidents().len(), 1, "a reminder publishes nothing");
    assert_eq!(sp.requests().len(), 1);
}

/// The real binary, `serve`, with `config` and the key, against `slack`;
/// its clock reads Monday morning.
fn spawn_bot(slack: &Emulator, db_url: &str, config: &std::path::Path) -> Child {
    let offset = (monday_morning() - chrono::Utc::now()).num_seconds();
    Command::new(env!("CARGO_BIN_EXE_paas-incident-bot"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env("BOT_CLOCK_OFFSET_SECS", offset.to_string())
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("STATUSPAGE_API_KEY", KEY)
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

/// Waits for a new view to open and submits `values` in it as `user`;
/// returns the ack payload.
async fn submit_next_view(
    slack: &Emulator,
    before: usize,
    user: &str,
    values: Value,
) -> Option<Value> {
    slack
        .wait_until(WAIT, |s| s.views().len() > before)
        .await
        .expect("a modal opens");
    let view = slack.views().last().cloned().unwrap();
    let id = slack
        .view_submission(user, &view.view_id, values)
        .await
        .unwrap();
    slack.wait_ack(&id, WAIT).await.unwrap().payload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_while_the_create_is_unanswered_leaves_one_public_incident_and_one_line() {
    let slack = Emulator::start().await.unwrap();
    let sp = StatusPage::start(PAGE, KEY, &[("cmp1", "Apps"), ("cmp2", "API")])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_url = crate::support::database::fresh_url(dir.path()).await;
    let config = dir.path().join("policy.toml");
    std::fs::write(&config, policy_text(&sp)).unwrap();
    let channel = Policy::builtin().incident_channel.to_string();

    let mut bot = spawn_bot(&slack, &db_url, &config);
    slack.wait_for_socket(WAIT).await.expect("the bot connects");
    let views = slack.views().len();
    slack
        .slash_command("/incident", "declare Apps down", ALICE, "C0PAAS")
        .await
        .unwrap();
    let ack = submit_next_view(
        &slack,
        views,
        ALICE,
        declare_form("Apps down", Some("P1"), Some(ALICE)),
    )
    .await;
    assert_eq!(ack, None, "the incident is declared");
    let top_level = |s: &Emulator| -> Vec<slack_emulator::Message> {
        s.messages(&channel)
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect()
    };
    slack
        .wait_until(WAIT, |s| !top_level(s).is_empty())
        .await
        .expect("the card is posted");
    let card = top_level(&slack)[0].ts.clone();

    // The create is committed and never answered; the bot dies waiting.
    sp.inject("POST", StatusPageFault::HoldAfterCommit);
    let views = slack.views().len();
    let id = slack
        .block_action(ALICE, &channel, &card, "incident.publish", "1")
        .await
        .unwrap();
    slack.wait_ack(&id, WAIT).await.unwrap();
    let ack = submit_next_view(
        &slack,
        views,
        ALICE,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    assert_eq!(ack, None, "the publication is accepted");
    incidents_become(&sp, 1).await;
    assert_eq!(sp.requests()[0].status, 0, "the create is held unanswered");
    bot.kill().await.expect("SIGKILL");
    slack
        .wait_until(WAIT, |s| s.live_sockets() == 0)
        .await
        .expect("the emulator notices the dead socket");

    let opened = slack.connections_opened();
    let mut bot = spawn_bot(&slack, &db_url, &config);
    slack
        .wait_until(WAIT, |s| {
            s.connections_opened() > opened && s.live_sockets() > 0
        })
        .await
        .expect("the restarted bot connects");
    // On PostgreSQL the restarted bot first waits out the killed one's
    // lease (the server cannot know it died): up to 13 s more.
    let takeover = paas_incident_bot::lease::Timing::PRODUCTION.takeover_within();
    slack
        .wait_until(WAIT + takeover, |s| {
            s.message(&channel, &card)
                .is_some_and(|m| m.blocks.to_string().contains("https://stspg.io/"))
        })
        .await
        .unwrap_or_else(|_| panic!("the card never linked the incident: {:#?}", sp.requests()));
    let published = |s: &Emulator| {
        s.thread(&channel, &card)
            .iter()
            .filter(|m| m.text.contains("published to the status page"))
            .count()
    };
    slack
        .wait_until(WAIT, |s| published(s) > 0)
        .await
        .expect("the thread says it was published");
    bot.kill().await.expect("SIGKILL");

    assert_eq!(sp.incidents().len(), 1, "{:#?}", sp.requests());
    assert_eq!(published(&slack), 1, "one thread line for one publication");
    let writes = sp.requests().iter().filter(|r| r.method != "GET").count();
    assert_eq!(
        writes,
        1,
        "found among the unresolved, not created again: {:#?}",
        sp.requests()
    );
}

/// A bare `GET …/incidents/unresolved` with the key, bypassing the bot's
/// pacing: the status and the Retry-After header, if any.
async fn raw_get(sp: &StatusPage) -> (u16, Option<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = sp.api_url();
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&authority).await.unwrap();
    let request = format!(
        "GET /v1/pages/{PAGE}/incidents/unresolved HTTP/1.1\r\nHost: {authority}\r\nAuthorization: OAuth {KEY}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let retry_after = answer.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("retry-after:")
            .map(|v| v.trim().to_owned())
    });
    (status, retry_after)
}

#[tokio::test]
async fn a_420_and_a_429_are_each_waited_out_for_their_retry_after() {
    let (app, sp) = start().await;
    let card = app.declare("Apps down", "P1").await;
    // Retry-After, then (one second short of it) nothing may be sent, then
    // (at it) the same request goes again.
    async fn waited_out(app: &TestApp, sp: &StatusPage, sent: usize, secs: i64) {
        requests_become(sp, sent).await;
        let limited = sp.requests()[sent - 1].clone();
        app.clock.advance(chrono::Duration::seconds(secs - 1));
        assert!(
            sp.wait_until(std::time::Duration::from_millis(300), |s| s
                .requests()
                .len()
                > sent)
                .await
                .is_err(),
            "sent again before the Retry-After of {secs}s: {:#?}",
            sp.requests()
        );
        app.clock.advance(chrono::Duration::seconds(1));
        requests_become(sp, sent + 1).await;
        let retry = &sp.requests()[sent];
        assert_eq!(retry.method, limited.method);
        assert_eq!(retry.at - limited.at, chrono::Duration::seconds(secs));
    }

    sp.inject(
        "POST",
        StatusPageFault::Status {
            status: 420,
            message: "Enhance your calm".into(),
            retry_after_secs: Some(20),
        },
    );
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    waited_out(&app, &sp, 1, 20).await;
    app.card_shows(&card, "https://stspg.io/").await;

    app.clock.advance(chrono::Duration::minutes(5));
    sp.inject(
        "PATCH",
        StatusPageFault::Status {
            status: 429,
            message: "Rate limit exceeded".into(),
            retry_after_secs: Some(45),
        },
    );
    app.publish(
        ALICE,
        &card,
        form("identified", "Found it.", &[("cmp1", "major_outage")]),
    )
    .await;
    waited_out(&app, &sp, 3, 45).await;
    sp.wait_until(WAIT, |s| s.incidents()[0]["status"] == "identified")
        .await
        .unwrap();
    let seen: Vec<(String, u16)> = sp
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST".into(), 420),
            ("POST".into(), 201),
            ("PATCH".into(), 429),
            ("PATCH".into(), 200)
        ],
        "a rate-limited request was not processed, so it is simply sent again"
    );
    assert_eq!(app.thread_count(&card, "published to the status page"), 1);
}

#[tokio::test]
async fn the_page_limits_each_key_to_a_request_a_second_and_the_bots_pacing_never_meets_it() {
    let (app, sp) = start().await;
    // The emulator enforces the limit: a second request in the same second
    // is refused with 429 and Retry-After.
    assert_eq!(raw_get(&sp).await, (200, None));
    assert_eq!(raw_get(&sp).await, (429, Some("1".to_owned())));
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(raw_get(&sp).await.0, 200);
    app.clock.advance(chrono::Duration::seconds(1));
    let before = sp.requests().len();

    // Five publications submitted as fast as people can, the clock still.
    const N: usize = 5;
    let mut cards = Vec::new();
    for i in 0..N {
        cards.push(app.declare(&format!("Outage {i}"), "P2").await);
    }
    for (n, card) in (1..).zip(&cards) {
        app.publish_via(
            ALICE,
            card,
            "incident.publish",
            n,
            form("investigating", "Down.", &[("cmp1", "partial_outage")]),
        )
        .await;
    }
    // Time moves a second at a time; each second lets one request go.
    let mut steps = 0;
    while sp.incidents().len() < N {
        let sent = sp.requests().len();
        app.clock.advance(chrono::Duration::seconds(1));
        let _ = sp
            .wait_until(std::time::Duration::from_secs(1), |s| {
                s.requests().len() > sent
            })
            .await;
        steps += 1;
        assert!(steps < 3 * N, "not all published: {:#?}", sp.requests());
    }
    for card in &cards {
        app.card_shows(card, "https://stspg.io/").await;
    }
    let bots: Vec<_> = sp.requests()[before..].to_vec();
    assert_eq!(bots.len(), N, "one request per publication: {bots:#?}");
    assert!(
        bots.iter().all(|r| r.status == 201),
        "no 420/429 (or anything else) answered: {bots:#?}"
    );
    for pair in bots.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= chrono::Duration::seconds(1),
            "{pair:#?}"
        );
    }
}

#[tokio::test]
async fn the_office_hours_reminder_names_the_last_public_update_and_carries_the_button() {
    use chrono::TimeZone;
    // Monday 23 November 2026 in London (GMT): office hours end at 17:00.
    let at = |h, m| chrono::Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap();
    let (app, sp) = start_keyed_at(KEY, at(16, 30)).await;
    let card = app.declare("Apps down", "P1").await;
    app.clock.set(at(16, 35));
    app.publish(
        ALICE,
        &card,
        form("investigating", "Down.", &[("cmp1", "major_outage")]),
    )
    .await;
    incidents_become(&sp, 1).await;
    app.card_shows(&card, "https://stspg.io/").await;
    app.clock.set(at(16, 50));
    app.publish(
        ALICE,
        &card,
        form("identified", "Found it.", &[("cmp1", "major_outage")]),
    )
    .await;
    sp.wait_until(WAIT, |s| s.incidents()[0]["status"] == "identified")
        .await
        .unwrap();
    app.thread_says(&card, "Found it.").await;

    // P1 updates are hourly, so at 17:00 only the office-hours crossing
    // (with the pause) asks for one.
    app.clock.set(at(17, 0));
    app.thread_says(&card, "office hours are ending").await;
    let crossing = app
        .slack
        .thread(&app.incident_channel(), &card)
        .into_iter()
        .find(|m| m.text.contains("office hours are ending"))
        .unwrap();
    let last = format!(
        "Last public update on the status page: <!date^{}^",
        at(16, 50).timestamp()
    );
    assert!(crossing.text.contains(&last), "{}", crossing.text);
    assert!(crossing.text.contains("(Identified)"), "{}", crossing.text);
    let blocks = crossing.blocks.to_string();
    assert!(blocks.contains("\"incident.publish\""), "{blocks}");
    assert_eq!(app.thread_count(&card, "office hours are ending"), 1);
    assert_eq!(sp.requests().len(), 2, "a reminder publishes nothing");

    // The button opens the publish modal, prefilled from the last update.
    let views = app.slack.views().len();
    app.press(ALICE, &crossing.ts, "incident.publish", "1")
        .await;
    let slack = app.slack.clone();
    slack
        .wait_until(WAIT, |s| s.views().len() > views)
        .await
        .expect("the button opens the publish modal");
}
