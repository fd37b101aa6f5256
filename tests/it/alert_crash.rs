//! Alerts survive SIGKILL right after their 200 (SPEC §6): the real
//! binary is killed a few milliseconds after answering each of a series of
//! alerts, at a different moment each time, and started again. In the end
//! every alert has exactly one message and its page exactly one DM.

use crate::support::{http_post, ALERT_TOKEN};
use chrono::Utc;
use paas_incident_bot::policy::{Policy, Role};
use paas_incident_bot::rota::people_covering;
use slack_emulator::Emulator;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

const ROUNDS: u64 = 8;
const STEP_WAIT: Duration = Duration::from_secs(10);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_bot(slack: &Emulator, db_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_paas-incident-bot"))
        .arg("serve")
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("DATABASE_URL", db_url)
        .env("PORT", port.to_string())
        .env("HEALTH_BIND", "127.0.0.1")
        .env("ALERT_WEBHOOK_TOKEN", ALERT_TOKEN)
        .env("RUST_LOG", "error")
        .env_remove("BOT_CONFIG")
        .env_remove("BOT_CLOCK_OFFSET_SECS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts")
}

/// Started: its socket connected and its port taking connections.
async fn started(slack: &Emulator, opened_before: usize, port: u16) {
    slack
        .wait_until(STEP_WAIT, |s| {
            s.connections_opened() > opened_before && s.live_sockets() > 0
        })
        .await
        .expect("the bot connects");
    let deadline = tokio::time::Instant::now() + STEP_WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the port never opened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_alert_answered_200_is_posted_once_whenever_the_bot_is_killed_after() {
    let slack = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_url = crate::support::database::fresh_url(dir.path()).await;
    let policy = Policy::builtin();
    let channel = policy.alerts.channel.to_string();
    for round in 0..ROUNDS {
        let port = free_port();
        let opened = slack.connections_opened();
        let mut child = spawn_bot(&slack, &db_url, port);
        started(&slack, opened, port).await;
        let body = format!(
            r#"{{"title":"Crash round {round}","status":"firing","dedup_key":"crash-{round}","severity":"critical"}}"#
        );
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let bearer = format!("Bearer {ALERT_TOKEN}");
        let (status, answer) = http_post(
            addr,
            "/alerts/generic",
            &[("Authorization", &bearer)],
            body.as_bytes(),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        // Kill points from at once to well after the post went out.
        tokio::time::sleep(Duration::from_millis(round * round * 4)).await;
        child.kill().await.expect("SIGKILL");
        slack
            .wait_until(STEP_WAIT, |s| s.live_sockets() == 0)
            .await
            .expect("the emulator notices the dead socket");
    }
    let opened = slack.connections_opened();
    let port = free_port();
    let mut child = spawn_bot(&slack, &db_url, port);
    started(&slack, opened, port).await;
    let every = |s: &Emulator| {
        (0..ROUNDS).all(|r| {
            s.messages(&channel)
                .iter()
                .any(|m| m.thread_ts.is_none() && m.text.contains(&format!("Crash round {r} ")))
        })
    };
    slack
        .wait_until(Duration::from_secs(30), every)
        .await
        .expect("every alert answered 200 is posted");
    // Pages go out after their message; give the DMs the same chance.
    let cal = policy.calendar();
    let cover = people_covering(&policy, &cal, Role::Engineering, Utc::now(), &[]);
    if let Some(cover) = cover.first() {
        let cover = cover.to_string();
        slack
            .wait_until(Duration::from_secs(30), |s| {
                (0..ROUNDS).all(|r| {
                    s.dms(&cover)
                        .iter()
                        .any(|m| m.text.contains(&format!("Crash round {r}*")))
                })
            })
            .await
            .expect("every page is sent");
        for r in 0..ROUNDS {
            let pages = slack
                .dms(&cover)
                .iter()
                .filter(|m| m.text.contains(&format!("Crash round {r}*")))
                .count();
            assert_eq!(pages, 1, "round {r} paged {pages} times");
        }
    }
    for r in 0..ROUNDS {
        let posts = slack
            .messages(&channel)
            .iter()
            .filter(|m| m.thread_ts.is_none() && m.text.contains(&format!("Crash round {r} ")))
            .count();
        assert_eq!(posts, 1, "round {r} posted {posts} times");
    }
    child.kill().await.unwrap();
}
