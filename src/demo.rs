//! `demo`: the real bot against the built-in Slack emulator, playing a whole
//! P1 incident on a clock the demo moves, and printing what Slack saw at
//! each stage. An emulated Statuspage runs beside it, and the comms lead
//! publishes the incident there and later resolves it publicly; what the
//! public sees is printed too. No tokens and no network: the emulators
//! listen on loopback and the database is a temporary file, removed
//! afterwards.

use crate::app::{App, AppConfig};
use crate::clock::{Clock, ManualClock};
use crate::policy::Policy;
use crate::settings::Secret;
use crate::slack::blocks::{actions, modal::fields, publish};
use anyhow::{anyhow, Context};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use slack_emulator::{Emulator, StatusPage};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The person who declares and writes updates.
const DECLARER: &str = "U0ALICE";
/// The built-in policy's in-hours engineer in the week of the demo.
const ENGINEER: &str = "U0PAASEN4";
/// Long enough for any effect of one step on a loaded machine.
const WAIT: Duration = Duration::from_secs(10);
/// The emulated status page: its page, key and components (id, name).
const PAGE_ID: &str = "demopage0001";
const PAGE_KEY: &str = "demo-statuspage-key";
const COMPONENTS: [(&str, &str); 2] = [("cmp-apps", "Apps"), ("cmp-api", "API")];
/// Quiet this long (no Web API calls) means a step's effects are done.
const QUIET: Duration = Duration::from_millis(300);

/// Tuesday 24 November 2026 at `h:m` in London (GMT, so also UTC).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

/// Slack markup as a person reads it: mentions as @id, dates as their
/// fallback text, escapes undone.
pub fn readable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &rest[open + 1..open + close];
        match inner.split_once('|') {
            Some((_, label)) => out.push_str(label),
            None => match inner.strip_prefix('!') {
                Some(special) => {
                    out.push('@');
                    out.push_str(special);
                }
                None => out.push_str(inner),
            },
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What has been printed already, so each stage shows only what is new.
struct Transcript<'w, W: Write> {
    out: &'w mut W,
    slack: Emulator,
    topic_channels: Vec<String>,
    seen: HashSet<String>,
    cards: HashMap<String, String>,
    topics: HashMap<String, String>,
    tz: chrono_tz::Tz,
    statuspage: StatusPage,
    /// Public incident id → how many of its updates have been printed.
    public_updates: HashMap<String, usize>,
}

impl<W: Write> Transcript<'_, W> {
    fn line(&mut self, text: &str) -> anyhow::Result<()> {
        writeln!(self.out, "{text}")?;
        Ok(())
    }

    fn message(&mut self, place: &str, kind: &str, who: &str, text: &str) -> anyhow::Result<()> {
        let who = if who == slack_emulator::BOT_USER_ID {
            "bot".to_owned()
        } else {
            format!("@{who}")
        };
        let text = readable(text);
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        writeln!(self.out, "  {place:<14} {kind:<7} {who}: {first}")?;
        for more in lines {
            writeln!(self.out, "  {:<14} {:<7} {more}", "", "")?;
        }
        Ok(())
    }

    /// Prints every message, reply, DM, card change and topic change the
    /// emulator saw since the last call.
    fn show_new(&mut self) -> anyhow::Result<()> {
        for channel in self.slack.channels() {
            // The emulator keeps a user's DMs in "D" + the id after its "U".
            let dm = channel.strip_prefix('D');
            let place = match dm {
                Some(rest) => format!("DM @U{rest}"),
                None => format!("#{channel}"),
            };
            for m in self.slack.messages(&channel) {
                let status = card_status(&m.blocks);
                if self.seen.insert(format!("{channel}/{}", m.ts)) {
                    let kind = if channel.starts_with('D') {
                        "dm"
                    } else {
                        "message"
                    };
                    self.message(&place, kind, &m.user, &m.text)?;
                    if let Some(status) = &status {
                        self.cards.insert(m.ts.clone(), status.clone());
                        self.message(&place, "card", &m.user, status)?;
                    }
                } else if let Some(status) = status {
                    if self.cards.get(&m.ts) != Some(&status) {
                        self.cards.insert(m.ts.clone(), status.clone());
                        self.message(&place, "card", &m.user, &format!("now {status}"))?;
                    }
                }
                for reply in self.slack.thread(&channel, &m.ts) {
                    if self.seen.insert(format!("{channel}/{}", reply.ts)) {
                        self.message(&place, "thread", &reply.user, &reply.text)?;
                    }
                }
            }
        }
        self.show_public()?;
        for channel in self.topic_channels.clone() {
            let topic = self.slack.topic(&channel);
            if self.topics.get(&channel) != Some(&topic) {
                self.topics.insert(channel.clone(), topic.clone());
                self.message(
                    &format!("#{channel}"),
                    "topic",
                    slack_emulator::BOT_USER_ID,
                    &topic,
                )?;
            }
        }
        Ok(())
    }

    /// Prints each public update the status page gained since the last
    /// call, oldest first, with the components it names.
    fn show_public(&mut self) -> anyhow::Result<()> {
        for incident in self.statuspage.incidents() {
            let id = incident["id"].as_str().unwrap_or_default().to_owned();
            let mut updates: Vec<Value> = incident["incident_updates"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            updates.reverse();
            let shown = self.public_updates.get(&id).copied().unwrap_or(0);
            for update in updates.iter().skip(shown) {
                let text = format!(
                    "{} ({}, impact {}): {}",
                    incident["name"].as_str().unwrap_or_default(),
                    update["status"].as_str().unwrap_or_default(),
                    incident["impact"].as_str().unwrap_or_default(),
                    update["body"].as_str().unwrap_or_default(),
                );
                writeln!(self.out, "  {:<14} {:<7} {text}", "status page", "public")?;
                let components: Vec<String> = incident["components"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        format!(
                            "{} {}",
                            c["name"].as_str().unwrap_or_default(),
                            c["status"].as_str().unwrap_or_default().replace('_', " ")
                        )
                    })
                    .collect();
                if !components.is_empty() {
                    writeln!(
                        self.out,
                        "  {:<14} {:<7} components: {}",
                        "",
                        "",
                        components.join(", ")
                    )?;
                }
            }
            self.public_updates.insert(id, updates.len());
        }
        Ok(())
    }

    async fn stage(&mut self, clock: &ManualClock, title: &str) -> anyhow::Result<()> {
        settle(&self.slack).await;
        let local = clock.now().with_timezone(&self.tz);
        self.line(&format!(
            "\n== {} — {title}",
            local.format("%a %d %b %H:%M %Z")
        ))?;
        self.show_new()
    }
}

/// The card's status field, which is what changes as the incident moves.
fn card_status(blocks: &Value) -> Option<String> {
    blocks.as_array()?.iter().find_map(|b| {
        b["fields"].as_array()?.iter().find_map(|f| {
            let text = f["text"].as_str()?;
            text.strip_prefix("*Status*\n").map(str::to_owned)
        })
    })
}

/// Waits until the bot has stopped calling Slack for a moment: the effects
/// of one step (replies, card refresh, topics) are then all visible.
async fn settle(slack: &Emulator) {
    let give_up = Instant::now() + WAIT;
    let mut calls = slack.calls().len();
    let mut quiet_since = Instant::now();
    while Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let now = slack.calls().len();
        if now != calls {
            calls = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= QUIET {
            return;
        }
    }
}

/// Waits until the card's thread says `needle`.
async fn thread_says(
    slack: &Emulator,
    channel: &str,
    card: &str,
    needle: &str,
) -> anyhow::Result<()> {
    slack
        .wait_until(WAIT, |s| {
            s.thread(channel, card)
                .iter()
                .any(|m| m.text.contains(needle))
        })
        .await
        .with_context(|| format!("the incident thread never said {needle:?}"))
}

fn declare_form() -> Value {
    json!({
        fields::TITLE: {fields::TITLE: {"type": "plain_text_input", "value": "Apps not being served"}},
        fields::DESCRIPTION: {fields::DESCRIPTION: {"type": "plain_text_input",
            "value": "Tenant apps in London return 502 for most requests."}},
        fields::PRIORITY: {fields::PRIORITY: {"type": "static_select", "selected_option": {
            "text": {"type": "plain_text", "text": "P1"}, "value": "P1"}}},
        fields::CYBER: {fields::CYBER: {"type": "checkboxes", "selected_options": []}},
        fields::LEAD: {fields::LEAD: {"type": "users_select", "selected_user": null}},
        fields::COMMS: {fields::COMMS: {"type": "users_select", "selected_user": DECLARER}},
    })
}

/// The publish modal filled in: `status` (none when resolving), the public
/// message, and each affected component with its status.
fn publish_form(status: Option<&str>, message: &str, affected: &[(&str, &str)]) -> Value {
    use publish::fields as f;
    let option = |v: &str| json!({"text": {"type": "plain_text", "text": v}, "value": v});
    let mut values = json!({
        f::TITLE: {f::TITLE: {"type": "plain_text_input", "value": "Apps unavailable in London"}},
        f::MESSAGE: {f::MESSAGE: {"type": "plain_text_input", "value": message}},
        f::AFFECTED: {f::AFFECTED: {"type": "checkboxes",
            "selected_options": affected.iter().map(|(id, _)| option(id)).collect::<Vec<_>>()}},
        f::NOTIFY: {f::NOTIFY: {"type": "checkboxes", "selected_options": [option("notify")]}},
    });
    if let Some(status) = status {
        values[f::STATUS] =
            json!({ f::STATUS: {"type": "static_select", "selected_option": option(status)}});
    }
    for (id, status) in affected {
        let block = format!("{}{id}", f::COMPONENT);
        values[&block] =
            json!({ block.clone(): {"type": "static_select", "selected_option": option(status)}});
    }
    values
}

/// The built-in policy with a `[statuspage]` section for `page`.
fn policy_with(page: &StatusPage) -> anyhow::Result<Policy> {
    let components: Vec<String> = COMPONENTS
        .iter()
        .map(|(id, name)| format!("\"{name}\" = \"{id}\""))
        .collect();
    let text = format!(
        "{}\n[statuspage]\npage_id = \"{}\"\napi_url = \"{}\"\ncomponents = {{ {} }}\n\
         publish_priorities = [\"P1\", \"P2\"]\npublishers = []\n[statuspage.impact]\n\
         P1 = {{ impact = \"critical\", component_status = \"major_outage\" }}\n\
         P2 = {{ impact = \"major\", component_status = \"partial_outage\" }}\n",
        include_str!("../config/gov-uk-paas.toml"),
        page.page_id(),
        page.api_url(),
        components.join(", ")
    );
    Policy::from_toml(&text).context("the demo's policy")
}

/// Presses `action` on the message at `ts` as `user` and submits the modal
/// it opens with `values`.
async fn press_and_submit(
    slack: &Emulator,
    user: &str,
    channel: &str,
    ts: &str,
    action: &str,
    values: Value,
) -> anyhow::Result<()> {
    let before = slack.views().len();
    let id = slack.block_action(user, channel, ts, action, "1").await?;
    slack.wait_ack(&id, WAIT).await?;
    slack
        .wait_until(WAIT, |s| s.views().len() > before)
        .await
        .with_context(|| format!("{action} never opened a modal"))?;
    let view = slack
        .views()
        .last()
        .map(|v| v.view_id.clone())
        .context("no modal")?;
    let id = slack.view_submission(user, &view, values).await?;
    let ack = slack.wait_ack(&id, WAIT).await?;
    match ack.payload {
        None => Ok(()),
        Some(refused) => Err(anyhow!("the publish modal refused: {refused}")),
    }
}

/// A temporary database file, removed (with its WAL files) when dropped.
pub(crate) struct TempDb(PathBuf);

impl TempDb {
    /// A fresh name in the temp directory; `kind` is "demo" or "playground".
    pub(crate) fn new(kind: &str) -> TempDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("paas-incident-bot-{kind}-{}-{nanos}.db", std::process::id());
        TempDb(std::env::temp_dir().join(name))
    }

    pub(crate) fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Plays the incident, writing the transcript to `out`.
pub async fn run<W: Write>(out: &mut W) -> anyhow::Result<()> {
    let slack = Emulator::start().await?;
    let statuspage = StatusPage::start(PAGE_ID, PAGE_KEY, &COMPONENTS).await?;
    let db = TempDb::new("demo");
    let policy = policy_with(&statuspage)?;
    let channel = policy.incident_channel.to_string();
    let clock = ManualClock::new(at(15, 50));
    let page_clock = clock.clone();
    statuspage.use_clock(move || page_clock.now());
    let app = App::build(AppConfig {
        api_url: slack.api_url(),
        app_token: Secret::new(slack.app_token()),
        bot_token: Secret::new(slack.bot_token()),
        database_url: db.url(),
        policy: policy.clone(),
        health_bind: std::net::IpAddr::from([127, 0, 0, 1]),
        port: 0,
        clock: Arc::new(clock.clone()),
        statuspage_key: Some(Secret::new(PAGE_KEY.to_owned())),
        public_url: None,
        alerts: Default::default(),
    })
    .await?;
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(app.run(shutdown.clone()));
    let played = play(out, &slack, &statuspage, &clock, &policy, &channel).await;
    shutdown.cancel();
    let stopped = tokio::time::timeout(WAIT, running).await;
    played?;
    match stopped {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(anyhow!("the bot panicked: {e}")),
        Err(_) => Err(anyhow!("the bot did not stop within {WAIT:?}")),
    }
}

async fn play<W: Write>(
    out: &mut W,
    slack: &Emulator,
    statuspage: &StatusPage,
    clock: &ManualClock,
    policy: &Policy,
    channel: &str,
) -> anyhow::Result<()> {
    slack.wait_for_socket(WAIT).await?;
    let mut t = Transcript {
        out,
        slack: slack.clone(),
        topic_channels: policy
            .rotas
            .iter()
            .flat_map(|r| r.topic_channels.iter().map(ToString::to_string))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect(),
        seen: HashSet::new(),
        cards: HashMap::new(),
        topics: HashMap::new(),
        tz: policy.timezone,
        statuspage: statuspage.clone(),
        public_updates: HashMap::new(),
    };
    t.topic_channels.sort();
    t.line("paas-incident-bot demo: the bot against the built-in Slack emulator,")?;
    t.line("with the GOV.UK PaaS policy, an emulated status page beside it,")?;
    t.line("and a clock the demo moves.")?;
    t.stage(clock, "the bot starts and sets the on-call topics")
        .await?;

    // Declare: the slash command opens the modal; submitting it posts the card.
    let id = slack
        .slash_command(
            "/incident",
            "declare Apps not being served",
            DECLARER,
            "C0PAAS",
        )
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    slack
        .wait_until(WAIT, |s| !s.views().is_empty())
        .await
        .context("the declare modal never opened")?;
    t.line(&format!(
        "\n@{DECLARER} runs /incident declare and submits the form as P1"
    ))?;
    let view = slack.views()[0].view_id.clone();
    let id = slack
        .view_submission(DECLARER, &view, declare_form())
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    slack
        .wait_until(WAIT, |s| !s.messages(channel).is_empty())
        .await
        .context("the card was never posted")?;
    let card = slack.messages(channel)[0].ts.clone();
    thread_says(slack, channel, &card, "acknowledge").await?;
    t.stage(clock, "declared").await?;

    clock.set(at(15, 53));
    t.line(&format!("\n@{ENGINEER} presses Acknowledge on the card"))?;
    let id = slack
        .block_action(ENGINEER, channel, &card, actions::ACK, "1")
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    thread_says(slack, channel, &card, "acknowledged").await?;
    t.stage(clock, "acknowledged").await?;

    clock.set(at(15, 55));
    t.line(&format!(
        "\n@{DECLARER}, the comms lead, presses Publish on the card and fills in the public update"
    ))?;
    press_and_submit(
        slack,
        DECLARER,
        channel,
        &card,
        actions::PUBLISH,
        publish_form(
            Some("investigating"),
            "Some apps hosted in London are returning errors. We are investigating.",
            &[(COMPONENTS[0].0, "major_outage")],
        ),
    )
    .await?;
    thread_says(slack, channel, &card, "See it on the status page").await?;
    t.stage(clock, "published on the status page").await?;

    clock.set(at(15, 58));
    t.line(&format!(
        "\n@{DECLARER} posts an update with /incident update"
    ))?;
    let id = slack
        .slash_command(
            "/incident",
            "update INC-1 Routers restarted; error rate falling",
            DECLARER,
            channel,
        )
        .await?;
    let ack = slack.wait_ack(&id, WAIT).await?;
    if let Some(text) = ack.payload.as_ref().and_then(|p| p["text"].as_str()) {
        t.message("(ephemeral)", "reply", slack_emulator::BOT_USER_ID, text)?;
    }
    thread_says(slack, channel, &card, "Routers restarted").await?;
    t.stage(clock, "update sent; the next is due in an hour")
        .await?;

    t.line("\nNobody posts the next update; the clock moves past its deadline")?;
    clock.set(at(16, 28));
    thread_says(slack, channel, &card, "how is INC-1 going").await?;
    t.stage(clock, "half an hour on: the engineers are asked for news")
        .await?;
    clock.set(at(16, 48));
    thread_says(slack, channel, &card, "is due").await?;
    t.stage(clock, "ten minutes before the update deadline")
        .await?;
    clock.set(at(16, 58));
    thread_says(slack, channel, &card, "due now").await?;
    t.stage(clock, "update deadline missed").await?;

    clock.set(at(17, 0));
    thread_says(slack, channel, &card, "pause and document").await?;
    t.stage(clock, "17:00: pause and document, end of office hours")
        .await?;

    clock.set(at(17, 25));
    t.line(&format!("\n@{ENGINEER} presses Resolve on the card"))?;
    let id = slack
        .block_action(ENGINEER, channel, &card, actions::RESOLVE, "1")
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    thread_says(slack, channel, &card, "still open on the status page").await?;
    t.stage(clock, "resolved").await?;

    clock.set(at(17, 30));
    t.line(&format!(
        "\n@{DECLARER} presses Resolve on the status page too, with a last public message"
    ))?;
    let prompt = slack
        .thread(channel, &card)
        .into_iter()
        .find(|m| m.text.contains("still open on the status page"))
        .map(|m| m.ts)
        .context("no prompt to resolve publicly")?;
    press_and_submit(
        slack,
        DECLARER,
        channel,
        &prompt,
        actions::PUBLISH_RESOLVE,
        publish_form(
            None,
            "Apps in London are being served normally again. We are sorry for the disruption.",
            &[],
        ),
    )
    .await?;
    statuspage
        .wait_until(WAIT, |s| {
            s.incidents()
                .first()
                .is_some_and(|i| i["status"] == "resolved")
        })
        .await
        .context("the public incident was never resolved")?;
    thread_says(slack, channel, &card, "(*Resolved*)").await?;
    t.stage(clock, "resolved on the status page").await?;

    t.line(&format!(
        "\n@{DECLARER} asks for the report with /incident report INC-1"
    ))?;
    let id = slack
        .slash_command("/incident", "report INC-1", DECLARER, channel)
        .await?;
    slack.wait_ack(&id, WAIT).await?;
    thread_says(slack, channel, &card, "Incident report").await?;
    t.stage(clock, "report").await?;
    t.line("\nDone.")?;
    Ok(())
}
