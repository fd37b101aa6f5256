//! The binary as an operator runs it (SPEC §4): a database it cannot use
//! stops it at start with exit 2, naming `DATABASE_URL` with the password
//! masked; SIGTERM stops it within the platforms' 10 s grace, handing the
//! lease over on the way out.

use slack_emulator::Emulator;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use tokio::process::Command;

const PASSWORD: &str = "hunter2-Xq9";

fn bot() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paas-incident-bot"));
    command
        .arg("serve")
        .env("SLACK_APP_TOKEN", "xapp-1-A1-test")
        .env("SLACK_BOT_TOKEN", "xoxb-1-test")
        // Nowhere: the bot must stop before it calls Slack.
        .env("SLACK_API_URL", "http://127.0.0.1:9/api")
        .env("PORT", "0")
        .env("HEALTH_BIND", "127.0.0.1")
        .env_remove("BOT_CONFIG")
        .env_remove("DATABASE_URL")
        .env_remove("VCAP_SERVICES")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

async fn run(mut command: Command) -> Output {
    tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("the bot stops at once")
        .expect("the bot runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn an_unreachable_postgres_exits_2_with_the_password_masked() {
    let mut command = bot();
    // Port 1 on this host: nothing listens, so the connection is refused.
    command.env(
        "DATABASE_URL",
        format!("postgres://bot:{PASSWORD}@127.0.0.1:1/incidents"),
    );
    let out = run(command).await;
    let said = said(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("DATABASE_URL postgres://bot:***@127.0.0.1:1/incidents"),
        "{said}"
    );
    assert!(!said.contains(PASSWORD), "password leaked: {said}");
}

#[tokio::test]
async fn a_cloud_foundry_binding_is_read_and_its_password_masked() {
    let mut command = bot();
    command.env(
        "VCAP_SERVICES",
        format!(
            r#"{{"postgres": [{{"name": "incident-bot-db", "label": "postgres",
                "tags": ["postgres", "relational"],
                "credentials": {{"uri": "postgres://rdsuser:{PASSWORD}@127.0.0.1:1/bot",
                                 "password": "{PASSWORD}"}}}}]}}"#
        ),
    );
    let out = run(command).await;
    let said = said(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("postgres://rdsuser:***@127.0.0.1:1/bot"),
        "{said}"
    );
    assert!(!said.contains(PASSWORD), "password leaked: {said}");
}

#[tokio::test]
async fn a_database_that_cannot_be_opened_exits_2_naming_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/no/such/dir/bot.db", dir.path().display());
    let mut command = bot();
    command.env("DATABASE_URL", &url);
    let out = run(command).await;
    let said = said(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(&format!("DATABASE_URL {url}")), "{said}");
}

#[tokio::test]
async fn sigterm_stops_within_ten_seconds_and_hands_the_lease_over() {
    let slack = Emulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let mut command = bot();
    command
        .env("SLACK_API_URL", slack.api_url())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    slack
        .wait_until(Duration::from_secs(10), |s| s.live_sockets() > 0)
        .await
        .expect("the bot connects");
    let db = paas_incident_bot::store::open_existing(&url).await.unwrap();
    let (expires_at,): (String,) = sqlx::query_as("SELECT expires_at FROM leases")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(!expires_at.starts_with("1970-"), "held while running");
    let pid = child.id().unwrap().to_string();
    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stopped within 10 s of SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    println!("stopped {:?} after SIGTERM", sent.elapsed());
    let (expires_at,): (String,) = sqlx::query_as("SELECT expires_at FROM leases")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(expires_at.starts_with("1970-"), "handed over: {expires_at}");
}
