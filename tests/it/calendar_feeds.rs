//! Calendar feeds (SPEC §7) through Slack and the HTTP port: `/oncall
//! calendar` links, `GET /calendar/TOKEN.ics` against the rota maths across
//! the spring clock change and the Easter bank holidays, overrides applied,
//! stable UIDs, a reset link serving an empty calendar, unknown tokens 404
//! and tokens never logged.
//!
//! Wednesday 24 March 2027, 12:00 UTC: Good Friday is the 26th, the clocks
//! go forward on Sunday the 28th, Easter Monday is the 29th. In hours,
//! U0PAASEN1 has the week of the 22nd and U0PAASEN2 the week of the 29th.

use crate::support::{logs, TestApp, WAIT};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use paas_incident_bot::app::App;
use paas_incident_bot::ids::{OverrideId, UserId};
use paas_incident_bot::policy::Policy;
use paas_incident_bot::rota::{cover_at, Override};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

fn wednesday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 24, 12, 0, 0).unwrap()
}

struct Got {
    status: u16,
    headers: String,
    body: String,
}

/// A GET that keeps the response head, to check the headers.
async fn fetch(addr: SocketAddr, path: &str) -> Got {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", addr.port()))
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    Got {
        status: raw[9..12].parse().unwrap(),
        headers: head.to_lowercase(),
        body: body.to_owned(),
    }
}

/// The links in an `/oncall calendar` answer, by what they show.
fn links(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (what, url) = line.strip_prefix("• ")?.rsplit_once(": ")?;
            Some((what.to_owned(), url.trim().to_owned()))
        })
        .collect()
}

async fn ask(app: &TestApp, text: &str, user: &str) -> BTreeMap<String, String> {
    let payload = app.command("/oncall", text, user).await;
    assert_eq!(payload["response_type"], "ephemeral", "{payload}");
    let answer = payload["text"].as_str().unwrap().to_owned();
    let found = links(&answer);
    assert_eq!(found.len(), 5, "{answer}");
    found
}

fn path_of(url: &str) -> String {
    let at = url.find("/calendar/").expect("a feed URL");
    url[at..].to_owned()
}

/// (UID, start, end, summary, description) of each event, lines unfolded.
fn events(body: &str) -> Vec<BTreeMap<String, String>> {
    let unfolded = body.replace("\r\n ", "");
    unfolded
        .split("BEGIN:VEVENT")
        .skip(1)
        .map(|event| {
            event
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn instant(ics: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(ics, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc()
}

#[tokio::test]
async fn feeds_follow_the_rota_maths_keep_their_uids_and_reset() {
    let logs = logs::capture("trace");
    let app = TestApp::start_with(Policy::builtin(), wednesday_noon()).await;
    let mine = ask(&app, "calendar", "U0PAASEN2").await;
    let base = format!("http://localhost:{}/calendar/", app.health.port());
    assert!(
        mine.values()
            .all(|url| url.starts_with(&base) && url.ends_with(".ics")),
        "{mine:?}"
    );
    let own = mine["Your shifts, on every rota"].clone();
    let in_hours = mine["Rota `in-hours`"].clone();

    // U0PAASEN3 takes Wednesday 31 March's in-hours from U0PAASEN2.
    let payload = app
        .command(
            "/oncall",
            "cover in-hours <@U0PAASEN3> 2027-03-31 09:00 to 2027-03-31 17:00",
            "U0ALICE",
        )
        .await;
    assert!(
        payload["text"].as_str().unwrap().contains("OVR-1"),
        "{payload}"
    );
    let cover = Override {
        id: OverrideId(1),
        rota: "in-hours".into(),
        user: UserId::parse("U0PAASEN3").unwrap(),
        from: Utc.with_ymd_and_hms(2027, 3, 31, 8, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2027, 3, 31, 16, 0, 0).unwrap(),
        created_by: UserId::parse("U0ALICE").unwrap(),
        covered: None,
        created_at: wednesday_noon(),
    };

    let got = fetch(app.health, &path_of(&in_hours)).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.headers
            .contains("content-type: text/calendar; charset=utf-8"),
        "{}",
        got.headers
    );
    assert!(
        got.headers.contains("cache-control: private"),
        "{}",
        got.headers
    );
    let found = events(&got.body);
    assert!(found.len() > 50, "{} events", found.len());
    // Every event is the resolver's shift at its start, whole.
    let policy = Policy::builtin();
    let cal = policy.calendar();
    let rota = policy.rota("in-hours").unwrap();
    for e in &found {
        let (from, to) = (instant(&e["DTSTART"]), instant(&e["DTEND"]));
        let shift = cover_at(&cal, rota, from, std::slice::from_ref(&cover))
            .expect("covered at the event's start")
            .shift;
        assert_eq!((shift.from, shift.to), (from, to), "{e:?}");
        assert!(e["SUMMARY"].ends_with(shift.user.as_str()), "{e:?}");
        assert!(e["DESCRIPTION"].contains("Europe/London"), "{e:?}");
    }
    let starts: Vec<&str> = found.iter().map(|e| e["DTSTART"].as_str()).collect();
    // Thursday in GMT, Tuesday after Easter in BST (09:00 local = 08:00Z).
    assert!(starts.contains(&"20270325T090000Z"), "{starts:?}");
    assert!(starts.contains(&"20270330T080000Z"), "{starts:?}");
    // No in-hours cover on Good Friday or Easter Monday.
    assert!(!starts
        .iter()
        .any(|s| s.starts_with("20270326") || s.starts_with("20270329")));
    let wednesday = found
        .iter()
        .find(|e| e["DTSTART"] == "20270331T080000Z")
        .expect("the overridden day");
    assert!(wednesday["SUMMARY"].ends_with("U0PAASEN3"), "{wednesday:?}");
    assert!(wednesday["DESCRIPTION"].contains("OVR-1"), "{wednesday:?}");

    // The person's own feed: their shifts on every rota, not the day given away.
    let got = fetch(app.health, &path_of(&own)).await;
    assert_eq!(got.status, 200);
    let first = events(&got.body);
    assert!(first.iter().any(|e| e["DTSTART"] == "20270330T080000Z"));
    assert!(!first.iter().any(|e| e["DTSTART"] == "20270331T080000Z"));
    assert!(first.iter().any(|e| e["SUMMARY"].contains("out-of-hours")));

    // Fetched again an hour later: the same shifts keep their UIDs.
    app.clock.advance(Duration::hours(1));
    let again = events(&fetch(app.health, &path_of(&own)).await.body);
    let uid_at = |list: &[BTreeMap<String, String>]| -> BTreeMap<String, String> {
        list.iter()
            .map(|e| (e["DTSTART"].clone(), e["UID"].clone()))
            .collect()
    };
    let (before, after) = (uid_at(&first), uid_at(&again));
    assert!(before.len() > 10);
    for (start, uid) in &before {
        assert_eq!(after.get(start), Some(uid), "{start}");
    }

    // A reset: the old link serves an empty calendar, the new one shifts.
    let fresh = ask(&app, "calendar reset", "U0PAASEN2").await;
    let old = fetch(app.health, &path_of(&own)).await;
    assert_eq!(old.status, 200);
    assert!(old.body.starts_with("BEGIN:VCALENDAR\r\n") && old.body.ends_with("END:VCALENDAR\r\n"));
    assert!(!old.body.contains("BEGIN:VEVENT"), "{}", old.body);
    let old_rota = fetch(app.health, &path_of(&in_hours)).await;
    assert!(!old_rota.body.contains("BEGIN:VEVENT"));
    let new = fetch(app.health, &path_of(&fresh["Your shifts, on every rota"])).await;
    assert_eq!(events(&new.body).len(), again.len());

    // A token never issued, and paths that are not tokens, are not found.
    let unknown = format!("/calendar/{}.ics", "0123456789abcdef".repeat(4));
    assert_eq!(fetch(app.health, &unknown).await.status, 404);
    assert_eq!(fetch(app.health, "/calendar/nothing.ics").await.status, 404);
    assert_eq!(fetch(app.health, "/calendar/").await.status, 404);

    // No token reaches a log line, as text or hex-encoded.
    let text = logs.text();
    assert!(!text.is_empty(), "logs were captured");
    for url in mine.values().chain(fresh.values()) {
        let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics");
        let hex: String = token.bytes().map(|b| format!("{b:02x}")).collect();
        assert!(!text.contains(token), "a feed token was logged");
        assert!(!text.contains(&hex), "a feed token was logged hex-encoded");
    }
    drop(logs);
}

#[tokio::test]
async fn links_are_built_from_public_url() {
    let mut app = TestApp::start_with(Policy::builtin(), wednesday_noon()).await;
    app.stop().await;
    let mut config = app.config();
    config.public_url = Some("https://oncall.example.org/bot".into());
    let built = App::build(config).await.expect("app builds");
    app.health = built.health_addr();
    app.shutdown = CancellationToken::new();
    app.running = Some(tokio::spawn(built.run(app.shutdown.clone())));
    app.slack.wait_for_socket(WAIT).await.expect("bot connects");

    let links = ask(&app, "calendar", "U0ALICE").await;
    for url in links.values() {
        assert!(
            url.starts_with("https://oncall.example.org/bot/calendar/"),
            "{url}"
        );
    }
    // The same token is served on this port, wherever PUBLIC_URL points.
    let got = fetch(app.health, &path_of(&links["Rota `escalation`"])).await;
    assert_eq!(got.status, 200);
    assert!(got.body.contains("BEGIN:VEVENT"));
    let help = app.command("/oncall", "calendar please", "U0ALICE").await;
    let help = help["text"].as_str().unwrap();
    assert!(
        help.contains("`/oncall calendar` takes nothing, or `reset`"),
        "{help}"
    );
    assert!(
        help.contains("/oncall calendar reset"),
        "the usage is shown: {help}"
    );
}
