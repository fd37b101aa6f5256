use crate::lease::{may_acquire, may_renew, HolderId, Term};
use crate::store::lease::*;
use crate::store::{monday_ten, scratch};
use chrono::{DateTime, Duration, Utc};

const NAME: &str = "once-only-work";

fn at(s: i64) -> DateTime<Utc> {
    monday_ten() + Duration::seconds(s)
}

#[tokio::test]
async fn the_first_to_ask_holds_term_one_and_others_wait() {
    let (_dir, db) = scratch().await;
    let (a, b) = (HolderId::new("a"), HolderId::new("b"));
    assert_eq!(get(&db, NAME).await.unwrap(), None);
    assert_eq!(
        acquire(&db, NAME, &a, at(10), at(0)).await.unwrap(),
        Some(Term(1))
    );
    assert_eq!(acquire(&db, NAME, &b, at(11), at(1)).await.unwrap(), None);
    let row = get(&db, NAME).await.unwrap().unwrap();
    assert_eq!((row.holder, row.term, row.expires_at), (a, Term(1), at(10)));
}

#[tokio::test]
async fn an_expired_lease_is_taken_under_the_next_term() {
    let (_dir, db) = scratch().await;
    let (a, b) = (HolderId::new("a"), HolderId::new("b"));
    acquire(&db, NAME, &a, at(10), at(0)).await.unwrap();
    // At its very expiry it may be taken.
    assert_eq!(
        acquire(&db, NAME, &b, at(20), at(10)).await.unwrap(),
        Some(Term(2))
    );
    // The old holder can no longer renew, nor take it back early.
    assert!(!renew(&db, NAME, &a, Term(1), at(21)).await.unwrap());
    assert_eq!(acquire(&db, NAME, &a, at(21), at(11)).await.unwrap(), None);
    let row = get(&db, NAME).await.unwrap().unwrap();
    assert_eq!((row.holder, row.term), (b, Term(2)));
}

#[tokio::test]
async fn renewal_extends_only_the_holders_own_term() {
    let (_dir, db) = scratch().await;
    let (a, b) = (HolderId::new("a"), HolderId::new("b"));
    acquire(&db, NAME, &a, at(10), at(0)).await.unwrap();
    assert!(renew(&db, NAME, &a, Term(1), at(13)).await.unwrap());
    assert!(!renew(&db, NAME, &b, Term(1), at(14)).await.unwrap());
    assert!(!renew(&db, NAME, &a, Term(2), at(14)).await.unwrap());
    assert!(!renew(&db, "another", &a, Term(1), at(14)).await.unwrap());
    assert_eq!(get(&db, NAME).await.unwrap().unwrap().expires_at, at(13));
    // Renewed, so not taken at the old expiry.
    assert_eq!(acquire(&db, NAME, &b, at(20), at(10)).await.unwrap(), None);
}

#[tokio::test]
async fn a_released_lease_is_taken_at_once() {
    let (_dir, db) = scratch().await;
    let (a, b) = (HolderId::new("a"), HolderId::new("b"));
    acquire(&db, NAME, &a, at(10), at(0)).await.unwrap();
    assert!(!release(&db, NAME, &b, Term(1)).await.unwrap());
    assert!(release(&db, NAME, &a, Term(1)).await.unwrap());
    // Even by a replica whose clock is far behind.
    assert_eq!(
        acquire(&db, NAME, &b, at(5), at(-3600)).await.unwrap(),
        Some(Term(2))
    );
}

#[tokio::test]
async fn the_store_applies_the_cores_rules() {
    // Every combination of row, holder and instant: the conditional
    // writes agree with `may_acquire` and `may_renew`.
    let me = HolderId::new("me");
    for holder in ["me", "other"] {
        for term in [1, 2] {
            for now_s in [-5, 0, 5] {
                let (_dir, db) = scratch().await;
                acquire(&db, NAME, &HolderId::new(holder), at(0), at(-100))
                    .await
                    .unwrap();
                if term == 2 {
                    release(&db, NAME, &HolderId::new(holder), Term(1))
                        .await
                        .unwrap();
                    acquire(&db, NAME, &HolderId::new(holder), at(0), at(-100))
                        .await
                        .unwrap();
                }
                let row = get(&db, NAME).await.unwrap();
                let renewable = may_renew(row.as_ref(), &me, Term(2));
                assert_eq!(
                    renew(&db, NAME, &me, Term(2), at(0)).await.unwrap(),
                    renewable,
                    "{holder} term {term}"
                );
                let row = get(&db, NAME).await.unwrap();
                let takeable = may_acquire(row.as_ref(), &me, at(now_s));
                let took = acquire(&db, NAME, &me, at(30), at(now_s)).await.unwrap();
                assert_eq!(took.is_some(), takeable, "{holder} term {term} at {now_s}");
            }
        }
    }
}
