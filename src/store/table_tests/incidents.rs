use super::{declared, user};
use crate::ids::{ChannelId, IncidentNumber};
use crate::incident::{apply, Action, Event, EventKind, Status};
use crate::store::incidents::*;
use crate::store::{monday_ten, scratch, write};
use chrono::Duration;
use sqlx::AnyPool;

async fn insert_one(pool: &AnyPool, title: &str, minutes: i64) -> IncidentNumber {
    let at = monday_ten() + Duration::minutes(minutes);
    let mut tx = write(pool).await.unwrap();
    let number = insert(&mut tx, &declared(title, at)).await.unwrap();
    tx.commit().await.unwrap();
    number
}

#[tokio::test]
async fn numbers_count_up_and_an_incident_reads_back_as_stored() {
    let (_dir, pool) = scratch().await;
    let first = insert_one(&pool, "Routers down", 0).await;
    let second = insert_one(&pool, "Logs delayed", 5).await;
    assert_eq!((first, second), (IncidentNumber(1), IncidentNumber(2)));
    let mut expected = declared("Logs delayed", monday_ten() + Duration::minutes(5));
    expected.number = second;
    assert_eq!(get(&pool, second).await.unwrap(), Some(expected));
    assert_eq!(get(&pool, IncidentNumber(3)).await.unwrap(), None);
}

#[tokio::test]
async fn a_save_from_an_older_version_loses() {
    let (_dir, pool) = scratch().await;
    let number = insert_one(&pool, "Routers down", 0).await;
    let stored = get(&pool, number).await.unwrap().unwrap();
    let now = monday_ten() + Duration::minutes(1);
    let (acked, _) = apply(&stored, &user("U0BOB"), Action::Acknowledge, now).unwrap();
    let (resolved, _) = apply(&stored, &user("U0BOB"), Action::Resolve(None), now).unwrap();
    let mut tx = write(&pool).await.unwrap();
    assert!(save(&mut tx, &acked, stored.version).await.unwrap());
    assert!(!save(&mut tx, &resolved, stored.version).await.unwrap());
    tx.commit().await.unwrap();
    let now_stored = get(&pool, number).await.unwrap().unwrap();
    assert_eq!(now_stored.status, Status::Acknowledged);
    assert_eq!(now_stored.version, stored.version + 1);
}

#[tokio::test]
async fn only_open_incidents_are_listed_most_urgent_first() {
    let (_dir, pool) = scratch().await;
    let a = insert_one(&pool, "First", 0).await;
    let b = insert_one(&pool, "Second", 1).await;
    let c = insert_one(&pool, "Third", 2).await;
    let now = monday_ten() + Duration::minutes(3);
    let mut tx = write(&pool).await.unwrap();
    for (number, action) in [
        (a, Action::Resolve(None)),
        (
            c,
            Action::Prioritise {
                priority: crate::priority::Priority::P1,
                reason: None,
            },
        ),
    ] {
        let stored = get(&mut *tx, number).await.unwrap().unwrap();
        let (next, _) = apply(&stored, &user("U0BOB"), action, now).unwrap();
        assert!(save(&mut tx, &next, stored.version).await.unwrap());
    }
    tx.commit().await.unwrap();
    let open: Vec<_> = open(&pool)
        .await
        .unwrap()
        .iter()
        .map(|i| i.number)
        .collect();
    assert_eq!(open, [c, b]);
    assert_eq!(latest_open(&pool).await.unwrap(), Some(c));
}

#[tokio::test]
async fn a_card_is_found_by_its_ts_once_remembered() {
    let (_dir, pool) = scratch().await;
    let number = insert_one(&pool, "Routers down", 0).await;
    assert_eq!(card(&pool, number).await.unwrap(), None);
    let channel = ChannelId::parse("C0PAAS").unwrap();
    set_card(&pool, number, &channel, "1795430400.000100")
        .await
        .unwrap();
    assert_eq!(
        card(&pool, number).await.unwrap(),
        Some((channel, "1795430400.000100".to_owned()))
    );
    assert_eq!(
        by_card(&pool, "1795430400.000100").await.unwrap(),
        Some(number)
    );
    assert_eq!(by_card(&pool, "1795430400.000200").await.unwrap(), None);
}

#[tokio::test]
async fn the_timeline_keeps_order_and_a_message_is_captured_once() {
    let (_dir, pool) = scratch().await;
    let number = insert_one(&pool, "Routers down", 0).await;
    let at = |m| monday_ten() + Duration::minutes(m);
    let note = Event::new(&user("U0BOB"), EventKind::Note, at(2)).with_text(Some("later".into()));
    let ack = Event::new(&user("U0BOB"), EventKind::Acknowledged, at(1));
    let mut tx = write(&pool).await.unwrap();
    record(&mut tx, number, &[note.clone(), ack.clone()])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let said = Event::new(&user("U0CAROL"), EventKind::Message, at(3))
        .with_text(Some("routers restarted".into()));
    let ts = "1795430400.000300";
    assert!(capture(&pool, number, ts, &said).await.unwrap());
    assert!(
        !capture(&pool, number, ts, &said).await.unwrap(),
        "stored once"
    );
    assert_eq!(
        edit_captured(&pool, ts, "routers replaced").await.unwrap(),
        1
    );

    let timeline = timeline(&pool, number).await.unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.kind).collect();
    // By time, not by the order they were written in.
    assert_eq!(
        kinds,
        [EventKind::Acknowledged, EventKind::Note, EventKind::Message]
    );
    assert_eq!(timeline[2].text.as_deref(), Some("routers replaced"));

    assert_eq!(remove_captured(&pool, ts).await.unwrap(), 1);
    assert_eq!(remove_captured(&pool, ts).await.unwrap(), 0);
    assert_eq!(
        crate::store::incidents::timeline(&pool, number)
            .await
            .unwrap()
            .len(),
        2
    );
}
