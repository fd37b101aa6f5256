//! The playground's main page: who you act as, the message box, the
//! clock, the open modal, and one channel (or DM, or the Home tab) at a
//! time with its messages as Slack would show them.

use super::style::{SCRIPT, STYLE};
use super::Shared;
use crate::clock::Clock;
use maud::{html, Markup, DOCTYPE};
use slack_emulator::render::{self, ModalForm, Target};
use slack_emulator::Message;

/// Which part of the workspace the page shows (from its query string).
pub(crate) struct View {
    /// A channel or DM id, or "home"; the incident channel when absent.
    pub channel: Option<String>,
    /// The ts of the message whose thread is open.
    pub thread: Option<String>,
}

/// The page's own address for `view`, to come back to after a press.
fn here(channel: &str, thread: Option<&str>) -> String {
    let mut query = vec![("channel", channel)];
    if let Some(t) = thread {
        query.push(("thread", t));
    }
    let q = serde_urlencoded::to_string(&query).unwrap_or_default();
    format!("/?{q}")
}

/// The page around `body`, shared with the rota calendar.
pub(crate) fn layout(title: &str, current: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – paas-incident-bot playground" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Skip to main content" }
                header {
                    p.brand { "paas-incident-bot playground" }
                    nav aria-label="Pages" {
                        ul {
                            li { a href="/" aria-current=[(current == "/").then_some("page")] { "Workspace" } }
                            li { a href="/rotas" aria-current=[(current == "/rotas").then_some("page")] { "Rota calendar" } }
                        }
                    }
                }
                (body)
                // New messages arrive without a reload; this says so to
                // screen readers (WCAG 2.2, 4.1.3 status messages).
                div #announce .visually-hidden aria-live="polite" {}
                script { (maud::PreEscaped(SCRIPT)) }
            }
        }
    }
}

pub(crate) fn render(shared: &Shared, view: &View) -> Markup {
    let incident = shared.policy.incident_channel.to_string();
    let channel = view.channel.clone().unwrap_or_else(|| incident.clone());
    let back = here(&channel, view.thread.as_deref());
    let me = shared.acting_as();
    let cal = shared.policy.calendar();
    let now = cal.local(shared.clock.now());
    let body = html! {
        main #main {
            h1 { "Workspace" }
            section.controls aria-labelledby="you-heading" {
                h2 #you-heading .visually-hidden { "You and the clock" }
                form #command method="post" action="/say" {
                    input type="hidden" name="back" value=(back);
                    input type="hidden" name="channel" value=(channel);
                    div.field {
                        label for="as" { "Acting as" }
                        select #as name="as" data-autosave="/as" {
                            @for person in shared.people() {
                                option value=(person) selected[person == me] { (person_label(shared, &person)) }
                            }
                        }
                    }
                    div.field.grow {
                        label for="message" { "Message" }
                        input #message type="text" name="message" autocomplete="off"
                            aria-describedby="message-hint";
                        p.hint #message-hint {
                            "A slash command (" code { "/incident declare Router down" } ", "
                            code { "/oncall" } ") or a message to the channel shown."
                        }
                    }
                    button.button.primary type="submit" { "Send" }
                }
                form.clock method="post" action="/clock" {
                    input type="hidden" name="back" value=(back);
                    p #clock-now {
                        "The bot's clock: "
                        time datetime=(now.to_rfc3339()) { (now.format("%a %d %b %Y %H:%M %Z")) }
                    }
                    button.button type="submit" name="move" value="10min" { "+10 min" }
                    " "
                    button.button type="submit" name="move" value="17:00" { "To 17:00" }
                    " "
                    button.button type="submit" name="move" value="nextday" { "Next day" }
                }
            }
            div #live {
                (reply(shared, &me))
                (modal(shared))
                div.workspace {
                    (channel_nav(shared, &channel, &me))
                    section.channel aria-labelledby="channel-heading" {
                        @if channel == "home" {
                            (home(shared, &me))
                        } @else {
                            (channel_view(shared, &channel, view.thread.as_deref(), &back, &me))
                        }
                    }
                }
            }
        }
    };
    layout("Workspace", "/", body)
}

/// "U0PAASEN1 (paas-engineering, paas-ooh)": who they are in the policy.
fn person_label(shared: &Shared, person: &str) -> String {
    let mut roles: Vec<&str> = Vec::new();
    if shared.policy.admins.iter().any(|a| a.as_str() == person) {
        roles.push("admin");
    }
    for rota in &shared.policy.rotas {
        if rota.members.iter().any(|m| m.as_str() == person) {
            roles.push(&rota.name);
        }
    }
    if roles.is_empty() {
        person.to_owned()
    } else {
        format!("{person} ({})", roles.join(", "))
    }
}

fn names(shared: &Shared) -> impl Fn(&str) -> String + '_ {
    move |id: &str| {
        if id == slack_emulator::BOT_USER_ID {
            "paas-incident-bot".to_owned()
        } else {
            shared.slack.display_name(id)
        }
    }
}

/// The last slash command's reply, if it was to the person acting.
fn reply(shared: &Shared, me: &str) -> Markup {
    let reply = shared.reply.lock().expect("lock").clone();
    let names = names(shared);
    let target = Target {
        url: "/press",
        hidden: &[],
    };
    html! {
        div role="status" {
            @if let Some(r) = reply.filter(|r| r.user == me && (!r.text.is_empty() || r.blocks.is_array())) {
                div.ephemeral {
                    p.only { "Only visible to you" }
                    (render::message(&r.text, &r.blocks, &target, &names))
                }
            }
        }
    }
}

fn modal(shared: &Shared) -> Markup {
    let Some(view) = shared.slack.open_view() else {
        return html! {};
    };
    let errors = shared
        .errors
        .lock()
        .expect("lock")
        .get(&view.view_id)
        .cloned()
        .unwrap_or_default();
    let people: Vec<(String, String)> = shared
        .people()
        .into_iter()
        .map(|p| (p.clone(), person_label(shared, &p)))
        .collect();
    let form = ModalForm {
        submit_url: "/modal/submit",
        close_url: "/modal/close",
        press_url: "/modal/press",
        errors: &errors,
        people: &people,
    };
    render::modal(&view.view, &form, &names(shared))
}

fn channel_label(shared: &Shared, id: &str) -> String {
    if id == "home" {
        return "App Home".to_owned();
    }
    if let Some(user) = id.strip_prefix('D') {
        return format!("DM with U{user}");
    }
    let mut label = format!("#{id}");
    if shared.policy.incident_channel.as_str() == id {
        label.push_str(" (incidents)");
    } else if shared
        .policy
        .rotas
        .iter()
        .any(|r| r.topic_channels.iter().any(|c| c.as_str() == id))
    {
        label.push_str(" (on-call topic)");
    }
    label
}

/// The incident channel, the topic channels, any other channel with
/// messages, the DMs, and the Home tab.
fn channels(shared: &Shared) -> Vec<String> {
    let mut out = vec![shared.policy.incident_channel.to_string()];
    let topics = shared
        .policy
        .rotas
        .iter()
        .flat_map(|r| r.topic_channels.iter().map(ToString::to_string));
    let mut dms = Vec::new();
    for id in topics.chain(shared.slack.channels()) {
        if out.contains(&id) || dms.contains(&id) {
            continue;
        }
        if id.starts_with('D') {
            dms.push(id);
        } else {
            out.push(id);
        }
    }
    out.extend(dms);
    out.push("home".to_owned());
    out
}

fn channel_nav(shared: &Shared, current: &str, me: &str) -> Markup {
    html! {
        nav.channels aria-label="Channels" {
            h2 { "Channels" }
            ul {
                @for id in channels(shared) {
                    li {
                        @if id == "home" {
                            form method="post" action="/home" {
                                button.link type="submit" aria-current=[(current == "home").then_some("page")] {
                                    "App Home (as " (me) ")"
                                }
                            }
                        } @else {
                            a href=(here(&id, None)) aria-current=[(current == id).then_some("page")] {
                                (channel_label(shared, &id))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn home(shared: &Shared, me: &str) -> Markup {
    let names = names(shared);
    html! {
        h2 #channel-heading { "App Home" }
        @match shared.slack.home(me) {
            None => p { "The bot has not published a Home tab for " (me) " yet." },
            Some(view) => {
                @let view_id = view["id"].as_str().unwrap_or_default().to_owned();
                @let hidden = [("view_id", view_id.as_str()), ("back", "/?channel=home")];
                (render::home(&view, &Target { url: "/press", hidden: &hidden }, &names))
            }
        }
    }
}

fn channel_view(
    shared: &Shared,
    channel: &str,
    thread: Option<&str>,
    back: &str,
    me: &str,
) -> Markup {
    let messages = shared.slack.messages(channel);
    let topic = shared.slack.topic(channel);
    let ephemerals = shared.slack.ephemerals(channel, me);
    html! {
        h2 #channel-heading { (channel_label(shared, channel)) }
        @if !topic.is_empty() {
            p.topic { "Topic: " (render::mrkdwn(&topic, &names(shared))) }
        }
        @if messages.is_empty() {
            p { "No messages yet." }
        }
        ol.messages {
            @for m in &messages {
                li #{"m-" (m.ts.replace('.', "-"))} {
                    (message(shared, channel, m, back))
                    @let replies = shared.slack.thread(channel, &m.ts);
                    @if thread == Some(m.ts.as_str()) {
                        section.thread aria-label="Thread" {
                            h3 { "Thread" }
                            ol.messages {
                                @for r in &replies { li { (message(shared, channel, r, back)) } }
                            }
                            form.reply method="post" action="/reply" {
                                input type="hidden" name="back" value=(back);
                                input type="hidden" name="channel" value=(channel);
                                input type="hidden" name="thread" value=(m.ts);
                                @let id = format!("reply-{}", m.ts.replace('.', "-"));
                                label for=(id) { "Reply in thread" }
                                input id=(id) type="text" name="message" autocomplete="off";
                                " " button.button type="submit" { "Reply" }
                            }
                            p { a href=(here(channel, None)) { "Close thread" } }
                        }
                    } @else {
                        p.thread-link {
                            a href={(here(channel, Some(&m.ts))) "#m-" (m.ts.replace('.', "-"))} {
                                @if replies.is_empty() { "Open thread" }
                                @else if replies.len() == 1 { "1 reply" }
                                @else { (replies.len()) " replies" }
                            }
                        }
                    }
                }
            }
        }
        @for e in &ephemerals {
            div.ephemeral {
                p.only { "Only visible to you" }
                (render::message(&e.text, &e.blocks, &Target { url: "/press", hidden: &[] }, &names(shared)))
            }
        }
    }
}

fn message(shared: &Shared, channel: &str, m: &Message, back: &str) -> Markup {
    let names = names(shared);
    let hidden = [("channel", channel), ("ts", m.ts.as_str()), ("back", back)];
    let target = Target {
        url: "/press",
        hidden: &hidden,
    };
    let pins: Vec<String> = m
        .reactions
        .iter()
        .filter(|r| r.name == "pushpin")
        .map(|r| names(&r.user))
        .collect();
    html! {
        article.message {
            p.author { strong { (names(&m.user)) } @if m.edited { " (edited)" } }
            (render::message(&m.text, &m.blocks, &target, &names))
            div.reactions {
                @if !pins.is_empty() { span { "📌 " (pins.join(", ")) } " " }
                form.inline method="post" action="/pin" {
                    input type="hidden" name="back" value=(back);
                    input type="hidden" name="channel" value=(channel);
                    input type="hidden" name="ts" value=(m.ts);
                    button.button.small type="submit" { "Add 📌" }
                }
            }
        }
    }
}
