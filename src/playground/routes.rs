//! The page's routes. A GET draws; a POST does what a person did in
//! Slack (through the emulator, as Slack would deliver it), waits until
//! the bot has answered and gone quiet, then sends the browser back to
//! the page it came from (303), so the result is on the page it loads.

use super::{calendar, page, Reply, Shared};
use axum::body::Bytes;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration as Minutes, NaiveTime, Utc};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a press waits for the bot's ack.
const ACK_WAIT: Duration = Duration::from_secs(5);
/// Quiet this long (no Web API calls) means a press's effects are done.
const QUIET: Duration = Duration::from_millis(200);
/// Longest a press waits for quiet.
const SETTLE_WAIT: Duration = Duration::from_secs(3);

type Fields = Vec<(String, String)>;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/rotas", get(rotas))
        .route("/version", get(version))
        .route("/as", post(acting_as))
        .route("/say", post(say))
        .route("/reply", post(reply))
        .route("/pin", post(pin))
        .route("/press", post(press))
        .route("/modal/submit", post(submit))
        .route("/modal/close", post(close))
        .route("/modal/press", post(modal_press))
        .route("/home", post(home))
        .route("/clock", post(clock))
        .with_state(shared)
}

/// Why a posted form came from another site, if it did. Any page open in
/// the same browser can post to one on loopback; the playground holds no
/// secrets, but a rehearsal should be played only from its own page, so a
/// form the browser marks as sent from elsewhere (`Sec-Fetch-Site`, or an
/// `Origin` that is not this host) is refused with 403.
fn from_elsewhere(headers: &axum::http::HeaderMap) -> Option<String> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site @ ("cross-site" | "same-site")) =
        text(header::HeaderName::from_static("sec-fetch-site"))
    {
        return Some(format!(
            "refused: the form was sent from another site ({site})"
        ));
    }
    let origin = text(header::ORIGIN)?;
    let host = text(header::HOST).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    (origin_host != host)
        .then(|| format!("refused: the form was sent from {origin}, not this page"))
}

/// A posted form's fields in order (a checkbox group repeats its name).
struct Form(Fields);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = (StatusCode, String);

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(why) = from_elsewhere(req.headers()) {
            return Err((StatusCode::FORBIDDEN, why));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("unreadable body: {e}")))?;
        serde_urlencoded::from_bytes(&body)
            .map(Form)
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("unreadable form: {e}")))
    }
}

fn field<'f>(fields: &'f Fields, name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// Back to the page the form was on: only a path on this site.
fn back(fields: &Fields) -> Redirect {
    let to = field(fields, "back");
    let safe = to.starts_with('/') && !to.starts_with("//") && !to.contains('\\');
    Redirect::to(if safe { to } else { "/" })
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn index(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query: Fields = query
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default();
    let view = page::View {
        channel: Some(field(&query, "channel"))
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        thread: Some(field(&query, "thread"))
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
    };
    no_store(Html(page::render(&shared, &view).into_string()).into_response())
}

async fn rotas(State(shared): State<Arc<Shared>>) -> Response {
    let overrides = match crate::store::overrides::live(&shared.reads).await {
        Ok(o) => o,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot read overrides: {e:#}"),
            )
                .into_response()
        }
    };
    no_store(Html(calendar::render(&shared, &overrides).into_string()).into_response())
}

/// Changes whenever the workspace, the clock or who the page acts as
/// does: the page polls it.
async fn version(State(shared): State<Arc<Shared>>) -> Response {
    use crate::clock::Clock;
    let v = format!(
        "{}-{}-{}",
        shared.slack.version(),
        shared.clock.now().timestamp(),
        shared.acting_as()
    );
    no_store(v.into_response())
}

/// Waits for the ack of `envelope` (returning its payload), then for the
/// bot to go quiet.
async fn settle(shared: &Shared, envelope: anyhow::Result<String>) -> Option<serde_json::Value> {
    let payload = match envelope {
        Ok(id) => shared
            .slack
            .wait_ack(&id, ACK_WAIT)
            .await
            .ok()
            .and_then(|a| a.payload),
        Err(e) => {
            tracing::warn!(error = %e, "the emulator refused a press");
            None
        }
    };
    quiet(shared).await;
    payload
}

async fn quiet(shared: &Shared) {
    let give_up = Instant::now() + SETTLE_WAIT;
    let mut calls = shared.slack.calls().len();
    let mut quiet_since = Instant::now();
    while Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let now = shared.slack.calls().len();
        if now != calls {
            calls = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= QUIET {
            return;
        }
    }
}

fn set_acting_as(shared: &Shared, fields: &Fields) {
    let who = field(fields, "as");
    if shared.people().iter().any(|p| p == who) {
        *shared.acting_as.lock().expect("lock") = who.to_owned();
    }
}

async fn acting_as(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    set_acting_as(&shared, &fields);
    back(&fields).into_response()
}

/// A message ts on the bot's clock, distinct from every other post.
fn new_ts(shared: &Shared) -> String {
    use crate::clock::Clock;
    let n = shared.posts.fetch_add(1, Ordering::Relaxed) % 1_000_000;
    format!("{}.{n:06}", shared.clock.now().timestamp())
}

/// `@U0PAASEN1` for a person the policy names becomes `<@U0PAASEN1>`, as
/// the Slack client does when a person is picked from its autocomplete.
fn mentions(shared: &Shared, text: &str) -> String {
    let people = shared.people();
    text.split(' ')
        .map(|word| match word.strip_prefix('@') {
            Some(id) if people.iter().any(|p| p == id) => format!("<@{id}>"),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message box: a slash command, or a message in the channel shown.
async fn say(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    set_acting_as(&shared, &fields);
    let user = shared.acting_as();
    let channel = match field(&fields, "channel") {
        c if c.starts_with(['C', 'G', 'D']) => c.to_owned(),
        _ => shared.policy.incident_channel.to_string(),
    };
    let text = mentions(&shared, field(&fields, "message").trim());
    if text.is_empty() {
        return back(&fields).into_response();
    }
    if let Some(command) = text.strip_prefix('/') {
        let (name, rest) = command.split_once(' ').unwrap_or((command, ""));
        let sent = shared
            .slack
            .slash_command(&format!("/{name}"), rest.trim(), &user, &channel)
            .await;
        let payload = settle(&shared, sent).await;
        let reply = payload.map(|p| Reply {
            user: user.clone(),
            text: p["text"].as_str().unwrap_or_default().to_owned(),
            blocks: p["blocks"].clone(),
        });
        *shared.reply.lock().expect("lock") = reply;
    } else {
        let ts = new_ts(&shared);
        let sent = shared.slack.say(&channel, None, &user, &text, &ts).await;
        settle(&shared, sent).await;
    }
    back(&fields).into_response()
}

async fn reply(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let text = field(&fields, "message").trim();
    if !text.is_empty() {
        let ts = new_ts(&shared);
        let sent = shared
            .slack
            .say(
                field(&fields, "channel"),
                Some(field(&fields, "thread")),
                &shared.acting_as(),
                text,
                &ts,
            )
            .await;
        settle(&shared, sent).await;
    }
    back(&fields).into_response()
}

async fn pin(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let sent = shared
        .slack
        .react(
            field(&fields, "channel"),
            field(&fields, "ts"),
            &shared.acting_as(),
            // The reaction the bot takes into the timeline.
            "pushpin",
        )
        .await;
    settle(&shared, sent).await;
    back(&fields).into_response()
}

/// A button or select pressed in a message, or on the Home tab.
async fn press(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let user = shared.acting_as();
    let action_id = field(&fields, "action_id");
    let view_id = field(&fields, "view_id");
    let sent = if !view_id.is_empty() {
        shared
            .slack
            .block_action_in_view(&user, view_id, action_id, field(&fields, "value"))
            .await
    } else if fields.iter().any(|(k, _)| k == "selected") {
        shared
            .slack
            .block_action_select(
                &user,
                field(&fields, "channel"),
                field(&fields, "ts"),
                action_id,
                field(&fields, "selected"),
            )
            .await
    } else {
        shared
            .slack
            .block_action(
                &user,
                field(&fields, "channel"),
                field(&fields, "ts"),
                action_id,
                field(&fields, "value"),
            )
            .await
    };
    settle(&shared, sent).await;
    back(&fields).into_response()
}

async fn submit(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let view_id = field(&fields, "view_id").to_owned();
    let Some(view) = shared
        .slack
        .views()
        .into_iter()
        .rfind(|v| v.view_id == view_id)
    else {
        return back(&fields).into_response();
    };
    let values = slack_emulator::render::submitted_values(&view.view, &fields);
    let sent = shared
        .slack
        .view_submission(&shared.acting_as(), &view_id, values)
        .await;
    let payload = settle(&shared, sent).await;
    let mut errors = shared.errors.lock().expect("lock");
    match payload {
        Some(p) if p["response_action"] == "errors" => {
            errors.insert(view_id, p["errors"].clone());
        }
        _ => {
            errors.remove(&view_id);
        }
    }
    drop(errors);
    back(&fields).into_response()
}

async fn close(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let view_id = field(&fields, "view_id");
    let notify = shared
        .slack
        .views()
        .into_iter()
        .rfind(|v| v.view_id == view_id)
        .is_some_and(|v| v.view["notify_on_close"] == true);
    shared.slack.close_view(view_id);
    if notify {
        let sent = shared.slack.view_closed(&shared.acting_as(), view_id).await;
        settle(&shared, sent).await;
    }
    back(&fields).into_response()
}

async fn modal_press(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    let pressed: (String, String) = match serde_json::from_str(field(&fields, "press")) {
        Ok(p) => p,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "press: expected [action_id, value]",
            )
                .into_response()
        }
    };
    let sent = shared
        .slack
        .block_action_in_view(
            &shared.acting_as(),
            field(&fields, "view_id"),
            &pressed.0,
            &pressed.1,
        )
        .await;
    settle(&shared, sent).await;
    back(&fields).into_response()
}

async fn home(State(shared): State<Arc<Shared>>) -> Response {
    let sent = shared.slack.open_home(&shared.acting_as()).await;
    settle(&shared, sent).await;
    Redirect::to("/?channel=home").into_response()
}

/// A press of one of the clock's buttons: `move` is "10min", "17:00" or
/// "nextday" (see [`clock_target`]).
async fn clock(State(shared): State<Arc<Shared>>, Form(fields): Form) -> Response {
    use crate::clock::Clock;
    let now = shared.clock.now();
    let Some(to) = clock_target(&shared.policy.calendar(), now, field(&fields, "move")) else {
        return (
            StatusCode::BAD_REQUEST,
            "move: expected 10min, 17:00 or nextday",
        )
            .into_response();
    };
    shared.clock.set(to);
    quiet(&shared).await;
    back(&fields).into_response()
}

/// Where a clock button takes the clock from `now`: "+10 min"; "To
/// 17:00", today's in the policy's zone, or tomorrow's once past; "Next
/// day", 09:00 tomorrow, when office hours start. `None` for anything else.
pub(super) fn clock_target(
    cal: &crate::calendar::Calendar,
    now: DateTime<Utc>,
    step: &str,
) -> Option<DateTime<Utc>> {
    let today = cal.local(now).date_naive();
    let tomorrow = today.succ_opt()?;
    match step {
        "10min" => Some(now + Minutes::minutes(10)),
        "17:00" => {
            let five = NaiveTime::from_hms_opt(17, 0, 0)?;
            let at = cal.instant(today, five);
            Some(if at > now {
                at
            } else {
                cal.instant(tomorrow, five)
            })
        }
        "nextday" => Some(cal.instant(tomorrow, NaiveTime::from_hms_opt(9, 0, 0)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use chrono::TimeZone;

    fn london(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Europe::London
            .with_ymd_and_hms(2026, 7, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn forms_sent_from_another_site_are_refused() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = axum::http::HeaderMap::new();
            for (k, v) in pairs {
                map.insert(*k, HeaderValue::from_static(v));
            }
            map
        };
        let own = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ];
        assert_eq!(from_elsewhere(&headers(&own)), None);
        assert_eq!(
            from_elsewhere(&headers(&[("host", "127.0.0.1:8080")])),
            None
        );
        let same_origin = [
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(from_elsewhere(&headers(&same_origin)), None);
        for foreign in [
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://evil.example"),
            ][..],
            &[("host", "127.0.0.1:8080"), ("origin", "null")][..],
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:9090"),
            ][..],
            &[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")][..],
        ] {
            assert!(from_elsewhere(&headers(foreign)).is_some(), "{foreign:?}");
        }
    }

    #[test]
    fn the_clock_buttons_move_in_the_policys_zone() {
        let cal = Policy::builtin().calendar();
        // Summer time: 17:00 in London is 16:00 UTC.
        let now = london(14, 10, 5);
        assert_eq!(clock_target(&cal, now, "10min"), Some(london(14, 10, 15)));
        assert_eq!(clock_target(&cal, now, "17:00"), Some(london(14, 17, 0)));
        assert_eq!(clock_target(&cal, now, "nextday"), Some(london(15, 9, 0)));
        // At or past 17:00, "To 17:00" is tomorrow's.
        let late = london(14, 17, 0);
        assert_eq!(clock_target(&cal, late, "17:00"), Some(london(15, 17, 0)));
        assert_eq!(clock_target(&cal, now, "yesterday"), None);
    }

    #[test]
    fn only_a_path_on_this_site_is_gone_back_to() {
        let to = |back: &str| {
            let fields = vec![("back".to_owned(), back.to_owned())];
            let response = super::back(&fields).into_response();
            response.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(to("/?channel=C0PAASINC"), "/?channel=C0PAASINC");
        assert_eq!(to("//evil.test/"), "/");
        assert_eq!(to("https://evil.test/"), "/");
        assert_eq!(to("/\\evil.test"), "/");
    }
}
