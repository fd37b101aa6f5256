use super::user;
use crate::ids::OverrideId;
use crate::store::overrides::*;
use crate::store::{monday_ten, scratch, write};
use chrono::Duration;
use sqlx::AnyPool;

async fn create_one(pool: &AnyPool, from_h: i64, to_h: i64) -> crate::rota::Override {
    let t = monday_ten();
    let mut tx = write(pool).await.unwrap();
    let created = create(
        &mut tx,
        NewOverride {
            rota: "in-hours",
            user: &user("U0BOB"),
            covered: Some(&user("U0ALICE")),
            from: t + Duration::hours(from_h),
            to: t + Duration::hours(to_h),
            created_by: &user("U0ALICE"),
        },
        t,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    created
}

#[tokio::test]
async fn an_override_reads_back_as_created() {
    let (_dir, pool) = scratch().await;
    let created = create_one(&pool, 1, 3).await;
    assert_eq!(created.id, OverrideId(1));
    assert_eq!(created.covered, Some(user("U0ALICE")));
    assert_eq!(created.created_at, monday_ten());
    assert_eq!(
        get(&pool, created.id).await.unwrap(),
        Some((created, false))
    );
    assert_eq!(get(&pool, OverrideId(9)).await.unwrap(), None);
}

#[tokio::test]
async fn cancelling_takes_it_out_of_the_live_set_once() {
    let (_dir, pool) = scratch().await;
    let early = create_one(&pool, 1, 2).await;
    let late = create_one(&pool, 4, 6).await;
    let ids = |v: Vec<crate::rota::Override>| v.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(ids(live(&pool).await.unwrap()), [early.id, late.id]);
    // Past ones stay live (the resolver ignores them); current ones have not ended.
    let at_three = monday_ten() + Duration::hours(3);
    assert_eq!(ids(current(&pool, at_three).await.unwrap()), [late.id]);

    let mut tx = write(&pool).await.unwrap();
    assert!(cancel(&mut tx, late.id, &user("U0BOB"), at_three)
        .await
        .unwrap());
    assert!(!cancel(&mut tx, late.id, &user("U0BOB"), at_three)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    assert_eq!(ids(live(&pool).await.unwrap()), [early.id]);
    assert_eq!(
        get(&pool, late.id).await.unwrap().map(|(_, c)| c),
        Some(true)
    );
}

#[tokio::test]
async fn an_override_must_end_after_it_starts() {
    let (_dir, pool) = scratch().await;
    let t = monday_ten();
    let mut tx = write(&pool).await.unwrap();
    let backwards = create(
        &mut tx,
        NewOverride {
            rota: "in-hours",
            user: &user("U0BOB"),
            covered: None,
            from: t,
            to: t,
            created_by: &user("U0BOB"),
        },
        t,
    )
    .await;
    assert!(backwards.is_err());
}
