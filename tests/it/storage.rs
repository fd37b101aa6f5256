//! The database as the running bot sees it: `/healthz` tells the truth
//! about writes (a deleted or read-only file, a wedged writer), and a
//! second bot on the same file is refused at start.

use crate::support;

use paas_incident_bot::app::App;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::TestApp;

impl TestApp {
    fn db_path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(self.db_url.trim_start_matches("sqlite://"))
    }

    async fn healthz(&self) -> (u16, serde_json::Value) {
        let (status, body) = self.get("/healthz").await;
        (status, serde_json::from_str(&body).unwrap())
    }
}

#[tokio::test]
async fn healthz_is_503_once_the_database_file_is_deleted() {
    if crate::support::database::sqlite_only(
        "healthz_is_503_once_the_database_file_is_deleted",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    assert_eq!(app.healthz().await.0, 200);
    // Writes would go on into the deleted file and be lost on restart.
    std::fs::remove_file(app.db_path()).unwrap();
    let (status, body) = app.healthz().await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["db"], "error");
    assert_eq!(body["db_error"], "database file deleted", "{body}");
    app.stop().await;
}

#[tokio::test]
async fn healthz_is_503_while_the_database_file_is_read_only() {
    if crate::support::database::sqlite_only(
        "healthz_is_503_while_the_database_file_is_read_only",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    let path = app.db_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let (status, body) = app.healthz().await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["db_error"], "database file read-only", "{body}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(app.healthz().await.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn healthz_is_503_while_the_writer_is_wedged() {
    if crate::support::database::sqlite_only(
        "healthz_is_503_while_the_writer_is_wedged",
        "on PostgreSQL the write lock is taken in turn by every replica's \
         writes, so /healthz does not probe it",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    // Another connection holds the write lock and never lets go: nothing
    // the bot writes can commit. Reads still work.
    // The write lock, on either backend, held by another pool.
    let other_pool = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let other = paas_incident_bot::store::write(&other_pool).await.unwrap();
    let (status, body) = app.healthz().await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["db_error"].as_str().unwrap().contains("writer stuck"),
        "{body}"
    );
    other.rollback().await.unwrap();
    let (status, body) = app.healthz().await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_second_bot_on_the_same_database_is_refused_at_start() {
    if crate::support::database::sqlite_only(
        "a_second_bot_on_the_same_database_is_refused_at_start",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    let second = App::build(app.config()).await;
    let refused = second.err().expect("the second bot is refused").to_string();
    assert!(refused.contains("already serving"), "{refused}");
    assert!(refused.contains("bot.db"), "{refused}");
    // The first still works, and after it stops a new one may start.
    app.declare("Router down", "P2").await;
    app.restart().await;
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_database_is_not_silently_replaced_by_an_empty_one_at_start() {
    if crate::support::database::sqlite_only(
        "a_deleted_database_is_not_silently_replaced_by_an_empty_one_at_start",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    app.stop().await;
    std::fs::remove_file(app.db_path()).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", app.db_path().display()));
    let _ = std::fs::remove_file(format!("{}-shm", app.db_path().display()));
    let refused = App::build(app.config())
        .await
        .err()
        .expect("refused: INC-1 would be issued again")
        .to_string();
    assert!(refused.contains("missing"), "{refused}");
}

#[tokio::test]
async fn the_database_files_are_owner_only() {
    if crate::support::database::sqlite_only(
        "the_database_files_are_owner_only",
        "it is about the database file",
    ) {
        return;
    }
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let path = format!("{}{suffix}", app.db_path().display());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{path}");
    }
    app.stop().await;
}

/// Sends `raw` and returns the connection, kept open.
async fn connect_and_send(app: &TestApp, raw: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(app.health).await.unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    stream
}

#[tokio::test]
async fn a_half_sent_request_does_not_hold_up_shutdown() {
    let mut app = TestApp::start().await;
    let _stalled = connect_and_send(&app, "GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await; // accepted
    let started = std::time::Instant::now();
    app.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "stopping took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn idle_connections_are_closed_and_healthz_still_answers() {
    use tokio::io::AsyncReadExt;
    let mut app = TestApp::start().await;
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(connect_and_send(&app, "").await);
    }
    // Every idle connection is closed by the server: those over the limit
    // at once, the rest when the time to send a request is up.
    for stream in &mut idle {
        let mut buf = [0u8; 64];
        let closed = tokio::time::timeout(Duration::from_secs(8), stream.read(&mut buf)).await;
        assert!(
            matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
            "an idle connection left open: {closed:?}"
        );
    }
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn one_hand_edited_row_is_skipped_and_the_rest_still_list_and_plan() {
    let logs = support::logs::capture("error");
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    app.declare("Database slow", "P3").await;
    app.stop().await;
    let db = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    sqlx::query("UPDATE incidents SET declared_at = '23/11/2026 10:00' WHERE number = 1")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    // Start-up planning reads every open incident: it must still start.
    app.boot().await;
    let list = app
        .command("/incident", "list", support::incident::BOB)
        .await;
    let list = list.to_string();
    assert!(list.contains("INC-2"), "{list}");
    assert!(!list.contains("INC-1 "), "{list}");
    assert!(
        logs.text()
            .lines()
            .any(|l| l.contains("ERROR") && l.contains("cannot be read") && l.contains("number=1")),
        "{}",
        logs.text()
    );
    app.stop().await;
}

#[tokio::test]
async fn sent_outbox_rows_and_handled_event_ids_are_pruned_after_their_retention() {
    let mut app = TestApp::start().await;
    app.declare("Router down", "P2").await;
    let db = paas_incident_bot::store::open(&app.db_url).await.unwrap();
    let count = |sql: String| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let last = count("SELECT MAX(id) FROM outbox".into()).await;
    // The declaration's rows, once Slack has taken them.
    let sent = format!("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND id <= {last}");
    let handled = "SELECT COUNT(*) FROM processed_events".to_owned();
    let deadline = tokio::time::Instant::now() + support::WAIT;
    while count(sent.clone()).await < last {
        assert!(tokio::time::Instant::now() < deadline, "rows never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(count(handled.clone()).await > 0);
    // A month and a day on: past both retentions.
    app.clock.advance(chrono::Duration::days(31));
    let deadline = tokio::time::Instant::now() + support::WAIT;
    loop {
        let (left, ids) = (count(sent.clone()).await, count(handled.clone()).await);
        if left == 0 && ids == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{left} old sent rows and {ids} old event ids left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The incident's timeline stays.
    assert!(count("SELECT COUNT(*) FROM timeline WHERE incident = 1".into()).await > 0);
    db.close().await;
    app.stop().await;
}
