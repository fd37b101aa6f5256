//! Two holders on one database, on real (short) timings: the lease is
//! about processes being alive, so these run on tokio's real clock with a
//! TTL of a fraction of a second.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Short, yet loose enough that a busy machine delaying a renewal by a
/// few hundred milliseconds does not end a term.
const QUICK: Timing = Timing {
    ttl: Duration::from_millis(1200),
    renew_every: Duration::from_millis(250),
    margin: Duration::from_millis(250),
};
const WAIT: Duration = Duration::from_secs(10);

async fn pool(url: &str) -> AnyPool {
    store::open(url).await.expect("the database opens")
}

fn scratch_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("lease.db").display())
}

struct Running {
    leadership: Leadership,
    stop: CancellationToken,
    task: JoinHandle<()>,
}

fn start(db: AnyPool, sole: bool) -> Running {
    let (lease, leadership) = LeaseLoop::new(db, QUICK, sole);
    let stop = CancellationToken::new();
    let task = tokio::spawn(lease.run(stop.clone()));
    Running {
        leadership,
        stop,
        task,
    }
}

/// Waits until `who` leads, returning its term.
async fn leads(who: &Running) -> Term {
    let mut leadership = who.leadership.clone();
    tokio::time::timeout(WAIT, leadership.gained())
        .await
        .expect("leads in time")
        .expect("still running")
}

/// Every term `who` led under, and `None` each time it stood down.
fn record(who: &Running) -> Arc<Mutex<Vec<Option<Term>>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut rx = who.leadership.0.clone();
    let log = seen.clone();
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let now = *rx.borrow_and_update();
            log.lock().unwrap().push(now);
        }
    });
    seen
}

#[tokio::test]
async fn a_standby_waits_while_the_holder_renews_and_takes_over_on_release() {
    assert!(QUICK.is_sound());
    let dir = tempfile::tempdir().unwrap();
    let url = scratch_url(&dir);
    let a = start(pool(&url).await, false);
    assert_eq!(leads(&a).await, Term(1));
    let b = start(pool(&url).await, false);
    let b_seen = record(&b);
    // Several TTLs: the holder's renewals keep the standby out.
    tokio::time::sleep(QUICK.ttl * 2).await;
    assert!(a.leadership.is_leader());
    assert!(
        b_seen.lock().unwrap().is_empty(),
        "{:?}",
        b_seen.lock().unwrap()
    );
    // SIGTERM: the holder releases, and the standby takes over on its next
    // ask, well within the TTL.
    let stopped = tokio::time::Instant::now();
    a.stop.cancel();
    a.task.await.unwrap();
    assert!(!a.leadership.is_leader());
    assert_eq!(leads(&b).await, Term(2));
    assert!(stopped.elapsed() < QUICK.ttl, "{:?}", stopped.elapsed());
    b.stop.cancel();
    b.task.await.unwrap();
}

#[tokio::test]
async fn a_killed_holder_is_replaced_once_its_lease_expires() {
    let dir = tempfile::tempdir().unwrap();
    let url = scratch_url(&dir);
    let db = pool(&url).await;
    let a = start(db.clone(), false);
    leads(&a).await;
    let b = start(pool(&url).await, false);
    tokio::time::sleep(QUICK.renew_every * 2).await;
    // Killed: no release.
    a.task.abort();
    let _ = a.task.await;
    let left = store::lease::get(&db, ONCE_ONLY).await.unwrap().unwrap();
    assert_eq!(leads(&b).await, Term(2));
    // Not before the dead holder's row expired.
    assert!(
        Utc::now() >= left.expires_at,
        "taken before {}",
        left.expires_at
    );
    let row = store::lease::get(&db, ONCE_ONLY).await.unwrap().unwrap();
    assert_ne!(row.holder, left.holder);
}

#[tokio::test]
async fn a_holder_that_cannot_renew_stands_down_before_its_lease_can_be_taken() {
    let dir = tempfile::tempdir().unwrap();
    let url = scratch_url(&dir);
    let watcher = pool(&url).await;
    let a_db = pool(&url).await;
    let a = start(a_db.clone(), false);
    leads(&a).await;
    let b = start(pool(&url).await, false);
    // A loses its database: every renewal fails from here on.
    a_db.close().await;
    let mut a_leadership = a.leadership.clone();
    tokio::time::timeout(WAIT, a_leadership.lost(Term(1)))
        .await
        .expect("stands down in time");
    let stood_down = Utc::now();
    let row = store::lease::get(&watcher, ONCE_ONLY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.term, Term(1), "nobody has taken it yet");
    assert!(
        stood_down < row.expires_at,
        "stood down at {stood_down}, lease expires at {}",
        row.expires_at
    );
    assert!(!b.leadership.is_leader());
    assert_eq!(leads(&b).await, Term(2));
    assert!(!a.leadership.is_leader());
}

#[tokio::test]
async fn the_only_process_on_a_database_file_takes_a_dead_holders_row_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = scratch_url(&dir);
    let db = pool(&url).await;
    let far = Utc::now() + chrono::Duration::hours(1);
    store::lease::acquire(&db, ONCE_ONLY, &HolderId::new("killed"), far, Utc::now())
        .await
        .unwrap();
    let a = start(db.clone(), true);
    let started = tokio::time::Instant::now();
    assert_eq!(leads(&a).await, Term(2));
    assert!(started.elapsed() < QUICK.ttl);
}

/// A loop that counts its starts and how each run ended.
#[derive(Default)]
struct Probe {
    started: AtomicUsize,
    dropped: AtomicUsize,
    finished: AtomicUsize,
}

struct CountDrop<'a>(&'a AtomicUsize, bool);

impl Drop for CountDrop<'_> {
    fn drop(&mut self) {
        if self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl OnceOnly for Arc<Probe> {
    async fn work(&self, stop: CancellationToken) {
        self.started.fetch_add(1, Ordering::SeqCst);
        let mut guard = CountDrop(&self.dropped, true);
        stop.cancelled().await;
        guard.1 = false;
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn work_runs_only_while_leading_and_resumes_when_leadership_returns() {
    let (tx, rx) = watch::channel(None);
    let leadership = Leadership(rx);
    let probe = Arc::new(Probe::default());
    let stop = CancellationToken::new();
    let task = lead("probe", probe.clone(), &leadership, &stop);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        probe.started.load(Ordering::SeqCst),
        0,
        "a standby does no work"
    );
    tx.send_replace(Some(Term(1)));
    until("starts", || probe.started.load(Ordering::SeqCst) == 1).await;
    // Lost: dropped where it stood, not finished.
    tx.send_replace(None);
    until("dropped", || probe.dropped.load(Ordering::SeqCst) == 1).await;
    assert_eq!(probe.finished.load(Ordering::SeqCst), 0);
    // Regained under a new term: runs again.
    tx.send_replace(Some(Term(2)));
    until("starts again", || probe.started.load(Ordering::SeqCst) == 2).await;
    // Stopping while leading lets it finish on its own.
    stop.cancel();
    task.await.unwrap();
    assert_eq!(probe.finished.load(Ordering::SeqCst), 1);
    assert_eq!(probe.dropped.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn stopping_a_standby_ends_its_gate_without_running_the_work() {
    let (_tx, rx) = watch::channel(None);
    let probe = Arc::new(Probe::default());
    let stop = CancellationToken::new();
    let task = lead("probe", probe.clone(), &Leadership(rx), &stop);
    stop.cancel();
    tokio::time::timeout(WAIT, task).await.unwrap().unwrap();
    assert_eq!(probe.started.load(Ordering::SeqCst), 0);
}
