use super::user;
use crate::cover_request::{CoverRequestId, State};
use crate::ids::ChannelId;
use crate::store::cover_requests::*;
use crate::store::{monday_ten, scratch, write};
use chrono::Duration;

#[tokio::test]
async fn a_request_is_taken_once_and_a_taken_one_never_lapses() {
    let (_dir, pool) = scratch().await;
    let t = monday_ten();
    let mut tx = write(&pool).await.unwrap();
    let new = NewRequest {
        rota: "in-hours",
        asked_by: &user("U0ALICE"),
        from: t + Duration::hours(23),
        to: t + Duration::hours(31),
        note: "dentist",
    };
    let asked = create(&mut tx, new, t).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(asked.id, CoverRequestId(1));
    assert_eq!(open(&pool, t).await.unwrap(), vec![asked.clone()]);

    let mut tx = write(&pool).await.unwrap();
    assert!(take(&mut tx, asked.id, &user("U0BOB"), t).await.unwrap());
    assert!(!take(&mut tx, asked.id, &user("U0CAROL"), t).await.unwrap());
    assert!(!lapse(&mut tx, asked.id, t + Duration::hours(23))
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let taken = get(&pool, asked.id).await.unwrap().unwrap();
    assert!(matches!(taken.state, State::Covered { ref by, .. } if *by == user("U0BOB")));
    assert!(open(&pool, t).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_untaken_request_cannot_be_taken_at_its_start_and_lapses_once() {
    let (_dir, pool) = scratch().await;
    let t = monday_ten();
    let mut tx = write(&pool).await.unwrap();
    let new = NewRequest {
        rota: "in-hours",
        asked_by: &user("U0ALICE"),
        from: t + Duration::hours(1),
        to: t + Duration::hours(2),
        note: "",
    };
    let asked = create(&mut tx, new, t).await.unwrap();
    let start = asked.from;
    assert!(!take(&mut tx, asked.id, &user("U0BOB"), start)
        .await
        .unwrap());
    assert!(lapse(&mut tx, asked.id, start).await.unwrap());
    assert!(!lapse(&mut tx, asked.id, start).await.unwrap());
    let channel = ChannelId::parse("C0PAAS").unwrap();
    remember_post(&mut *tx, asked.id, &channel, "1.000001")
        .await
        .unwrap();
    remember_post(&mut *tx, asked.id, &channel, "2.000002")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        posts(&pool, asked.id).await.unwrap(),
        vec![(channel, "1.000001".to_owned())],
        "a repost keeps the first ts"
    );
    let lapsed = get(&pool, asked.id).await.unwrap().unwrap();
    assert_eq!(lapsed.state, State::Lapsed { at: start });
}
