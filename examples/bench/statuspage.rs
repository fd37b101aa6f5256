//! Publishing to the status page (`BENCH_ONLY=statuspage`): the app with a
//! `[statuspage]` section pointing at the emulated Statuspage, `PUBLISHES`
//! incidents declared and each published once through the card's button
//! and the modal. Measured: requests the bot sent per publish, and the time
//! from the modal's submission being sent to the card showing the
//! status-page link (the request, its answer, the transaction and the
//! card's `chat.update`). The bot's pacing (one request a second per key)
//! runs on its clock, which is moved on two seconds before each publish so
//! the figure is the work, not the pacing.

use crate::stats::{ms, summarise};
use crate::{declare_form, monday_morning, start_app_keyed, CHANNEL, PERSON};
use paas_incident_bot::policy::Policy;
use serde_json::{json, Value};
use slack_emulator::{Emulator, StatusPage};
use std::time::{Duration, Instant};

const PUBLISHES: usize = 20;
const KEY: &str = "bench-statuspage-key";
const PAGE: &str = "benchpage001";
const WAIT: Duration = Duration::from_secs(30);

fn policy(sp: &StatusPage) -> anyhow::Result<Policy> {
    let text = format!(
        "{}\n[statuspage]\npage_id = \"{PAGE}\"\napi_url = \"{}\"\n\
         components = {{ \"Apps\" = \"cmp1\", \"API\" = \"cmp2\" }}\n\
         publish_priorities = [\"P1\", \"P2\", \"P3\"]\npublishers = []\n[statuspage.impact]\n\
         P1 = {{ impact = \"critical\", component_status = \"major_outage\" }}\n\
         P2 = {{ impact = \"major\", component_status = \"partial_outage\" }}\n\
         P3 = {{ impact = \"minor\", component_status = \"degraded_performance\" }}\n",
        include_str!("../../config/gov-uk-paas.toml"),
        sp.api_url()
    );
    Ok(Policy::from_toml(&text)?)
}

/// The publish modal filled in: investigating, Apps degraded.
fn publish_form() -> Value {
    let option = |v: &str| json!({"text": {"type": "plain_text", "text": v}, "value": v});
    json!({
        "public_title": {"public_title": {"type": "plain_text_input", "value": "Apps slow"}},
        "public_status": {"public_status": {"type": "static_select",
            "selected_option": option("investigating")}},
        "public_message": {"public_message": {"type": "plain_text_input",
            "value": "Some apps respond slowly. We are investigating."}},
        "public_components": {"public_components": {"type": "checkboxes",
            "selected_options": [option("cmp1")]}},
        "component:cmp1": {"component:cmp1": {"type": "static_select",
            "selected_option": option("degraded_performance")}},
        "notify": {"notify": {"type": "checkboxes", "selected_options": [option("notify")]}},
    })
}

/// Waits for a new modal and returns its view id.
async fn next_view(slack: &Emulator, before: usize) -> anyhow::Result<String> {
    slack.wait_until(WAIT, |s| s.views().len() > before).await?;
    slack
        .views()
        .last()
        .map(|v| v.view_id.clone())
        .ok_or_else(|| anyhow::anyhow!("no modal"))
}

/// Declares incident `i` (P3, led by `PERSON`) and returns its card's ts.
async fn declare(slack: &Emulator, channel: &str, i: usize) -> anyhow::Result<String> {
    let cards = |s: &Emulator| {
        s.messages(channel)
            .into_iter()
            .filter(|m| m.thread_ts.is_none())
            .collect::<Vec<_>>()
    };
    let (views, before) = (slack.views().len(), cards(slack).len());
    slack
        .slash_command("/incident", &format!("declare Bench {i}"), PERSON, CHANNEL)
        .await?;
    let view = next_view(slack, views).await?;
    let id = slack
        .view_submission(PERSON, &view, declare_form(&format!("Bench {i}")))
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    slack.wait_until(WAIT, |s| cards(s).len() > before).await?;
    cards(slack)
        .last()
        .map(|m| m.ts.clone())
        .ok_or_else(|| anyhow::anyhow!("no card"))
}

pub async fn print() -> anyhow::Result<()> {
    let slack = Emulator::start().await?;
    let sp = StatusPage::start(PAGE, KEY, &[("cmp1", "Apps"), ("cmp2", "API")]).await?;
    let policy = policy(&sp)?;
    let channel = policy.incident_channel.to_string();
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("statuspage.db").display());
    let app = start_app_keyed(&slack, &db_url, &policy, monday_morning(), Some(KEY)).await?;
    let clock = app.clock.clone();
    sp.use_clock(move || paas_incident_bot::clock::Clock::now(&clock));

    let mut latencies = Vec::with_capacity(PUBLISHES);
    for i in 0..PUBLISHES {
        let card = declare(&slack, &channel, i).await?;
        app.clock.advance(chrono::Duration::seconds(2));
        let views = slack.views().len();
        let id = slack
            .block_action(
                PERSON,
                &channel,
                &card,
                "incident.publish",
                &(i + 1).to_string(),
            )
            .await?;
        slack.wait_ack(&id, WAIT).await?;
        let view = next_view(&slack, views).await?;
        let submitted = Instant::now();
        let id = slack.view_submission(PERSON, &view, publish_form()).await?;
        slack
            .wait_until(WAIT, |s| {
                s.message(&channel, &card)
                    .is_some_and(|m| m.blocks.to_string().contains("https://stspg.io/"))
            })
            .await?;
        latencies.push(submitted.elapsed());
        let ack = slack.wait_ack(&id, WAIT).await?;
        anyhow::ensure!(
            ack.payload.is_none(),
            "publish {i} refused: {:?}",
            ack.payload
        );
    }
    app.stop().await?;

    let requests = sp.requests();
    let limited = requests
        .iter()
        .filter(|r| r.status == 420 || r.status == 429)
        .count();
    anyhow::ensure!(
        sp.incidents().len() == PUBLISHES,
        "{} public incidents for {PUBLISHES} publishes",
        sp.incidents().len()
    );
    let s = summarise(latencies);
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| Statuspage requests per publish ({PUBLISHES} publishes) | {:.2} ({limited} rate-limited) |",
        requests.len() as f64 / PUBLISHES as f64
    );
    println!(
        "| modal submission to the card's status-page link: p50 / p99 / max | {} / {} / {} |",
        ms(s.p50),
        ms(s.p99),
        ms(s.max)
    );
    Ok(())
}
