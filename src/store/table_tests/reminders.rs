use crate::ids::IncidentNumber;
use crate::reminders::{Kind, Planned, Subject};
use crate::store::reminders::*;
use crate::store::{monday_ten, scratch, write};
use chrono::{DateTime, Duration, Utc};
use sqlx::AnyPool;

fn at(minutes: i64) -> DateTime<Utc> {
    monday_ten() + Duration::minutes(minutes)
}

fn planned(slots: &[(Kind, i64)]) -> Vec<Planned> {
    slots
        .iter()
        .map(|(kind, m)| Planned {
            kind: *kind,
            due: at(*m),
        })
        .collect()
}

async fn replan_now(pool: &AnyPool, subject: &Subject, slots: &[(Kind, i64)], now: i64) {
    let mut tx = write(pool).await.unwrap();
    replan(&mut tx, subject, &planned(slots), at(now))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn summary(due: &[Due]) -> Vec<(Subject, Kind, DateTime<Utc>)> {
    due.iter()
        .map(|d| (d.subject.clone(), d.kind, d.due))
        .collect()
}

#[tokio::test]
async fn rows_fall_due_in_order_with_their_subjects() {
    let (_dir, pool) = scratch().await;
    let inc = Subject::Incident(IncidentNumber(4));
    let rota = Subject::Rota("in-hours".to_owned());
    replan_now(
        &pool,
        &inc,
        &[(Kind::Response, 20), (Kind::UpdateDue, 60)],
        0,
    )
    .await;
    replan_now(&pool, &rota, &[(Kind::Handover, 30)], 0).await;
    assert_eq!(next_due(&pool).await.unwrap(), Some(at(20)));
    assert!(due(&pool, at(19), 10).await.unwrap().is_empty());
    assert_eq!(
        summary(&due(&pool, at(45), 10).await.unwrap()),
        [
            (inc.clone(), Kind::Response, at(20)),
            (rota, Kind::Handover, at(30)),
        ]
    );
    assert_eq!(
        due(&pool, at(90), 1).await.unwrap().len(),
        1,
        "the limit holds"
    );
}

#[tokio::test]
async fn a_fired_slot_never_fires_again_even_when_planned_again() {
    let (_dir, pool) = scratch().await;
    let inc = Subject::Incident(IncidentNumber(1));
    replan_now(&pool, &inc, &[(Kind::Response, 20)], 0).await;
    let row = due(&pool, at(20), 10).await.unwrap().remove(0);
    let mut tx = write(&pool).await.unwrap();
    assert!(mark_fired(&mut tx, row.id, at(20)).await.unwrap());
    assert!(!mark_fired(&mut tx, row.id, at(20)).await.unwrap());
    tx.commit().await.unwrap();
    // Planning the same slot again (a restart re-plans everything).
    replan_now(&pool, &inc, &[(Kind::Response, 20)], 10).await;
    assert!(due(&pool, at(30), 10).await.unwrap().is_empty());
    assert_eq!(next_due(&pool).await.unwrap(), None);
}

#[tokio::test]
async fn replanning_cancels_what_is_no_longer_owed_and_brings_back_what_is() {
    let (_dir, pool) = scratch().await;
    let inc = Subject::Incident(IncidentNumber(2));
    replan_now(
        &pool,
        &inc,
        &[(Kind::Response, 20), (Kind::UpdateDue, 60)],
        0,
    )
    .await;
    // Acknowledged: the response reminder is no longer owed.
    replan_now(&pool, &inc, &[(Kind::UpdateDue, 60)], 5).await;
    assert_eq!(next_due(&pool).await.unwrap(), Some(at(60)));
    // Planned again (say the acknowledgement was undone): back it comes.
    replan_now(
        &pool,
        &inc,
        &[(Kind::Response, 20), (Kind::UpdateDue, 60)],
        6,
    )
    .await;
    assert_eq!(next_due(&pool).await.unwrap(), Some(at(20)));
}

#[tokio::test]
async fn a_row_already_due_is_left_for_the_scheduler_to_judge() {
    let (_dir, pool) = scratch().await;
    let inc = Subject::Incident(IncidentNumber(3));
    replan_now(&pool, &inc, &[(Kind::Response, 20)], 0).await;
    // A change at 25 plans nothing more; the row due at 20 stays pending.
    replan_now(&pool, &inc, &[], 25).await;
    assert_eq!(summary(&due(&pool, at(25), 10).await.unwrap()).len(), 1);
}

#[tokio::test]
async fn a_stored_subject_that_is_not_one_is_an_error() {
    let (_dir, pool) = scratch().await;
    sqlx::query("INSERT INTO reminders (subject, kind, due_at) VALUES ('team:x', 'response', $1)")
        .bind(crate::store::time::to_db(at(0)))
        .execute(&pool)
        .await
        .unwrap();
    assert!(due(&pool, at(1), 10)
        .await
        .unwrap_err()
        .to_string()
        .contains("team:x"));
}
