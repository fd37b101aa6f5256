//! Calendar feed links: the digest of each token, whose link it is and
//! what it shows. Revoked rows stay, so an old link can be told apart from
//! one never issued (an empty calendar, not a 404).

use super::time::to_db;
use crate::feed::{FeedScope, TokenHash};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use sqlx::{Any, Transaction};

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub holder: UserId,
    pub scope: FeedScope,
    pub revoked: bool,
}

fn scope_to_db(scope: &FeedScope) -> String {
    match scope {
        FeedScope::Person(_) => "person".to_owned(),
        FeedScope::Rota(name) => format!("rota:{name}"),
    }
}

fn scope_from_db(raw: &str, holder: &UserId) -> anyhow::Result<FeedScope> {
    match raw.split_once(':') {
        None if raw == "person" => Ok(FeedScope::Person(holder.clone())),
        Some(("rota", name)) if !name.is_empty() => Ok(FeedScope::Rota(name.to_owned())),
        _ => anyhow::bail!("`{raw}` is not a calendar feed scope (person or rota:NAME)"),
    }
}

/// Stores new links for `holder` in the caller's transaction.
pub async fn issue(
    tx: &mut Transaction<'_, Any>,
    holder: &UserId,
    links: &[(TokenHash, FeedScope)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for (hash, scope) in links {
        sqlx::query(
            "INSERT INTO calendar_feeds (token_hash, holder, scope, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&hash.0)
        .bind(holder.as_str())
        .bind(scope_to_db(scope))
        .bind(to_db(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Revokes every link `holder` still has; how many there were.
pub async fn revoke_all(
    tx: &mut Transaction<'_, Any>,
    holder: &UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE holder = $2 AND revoked_at IS NULL",
    )
    .bind(to_db(now))
    .bind(holder.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// The link whose token has digest `hash`, if one was ever issued.
pub async fn lookup(
    db: impl sqlx::AnyExecutor<'_>,
    hash: &TokenHash,
) -> anyhow::Result<Option<Feed>> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT holder, scope, revoked_at FROM calendar_feeds WHERE token_hash = $1",
    )
    .bind(&hash.0)
    .fetch_optional(db)
    .await?;
    row.map(|(holder, scope, revoked_at)| {
        let holder = UserId::parse(&holder).map_err(anyhow::Error::msg)?;
        Ok(Feed {
            scope: scope_from_db(&scope, &holder)?,
            holder,
            revoked: revoked_at.is_some(),
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::FeedToken;
    use crate::store::{monday_ten, scratch};

    #[tokio::test]
    async fn links_are_found_by_digest_and_revoked_by_holder() {
        let (_dir, pool) = scratch().await;
        let alice = UserId::parse("U0ALICE").unwrap();
        let bob = UserId::parse("U0BOB").unwrap();
        let (mine, rota, bobs) = (
            FeedToken::generate().unwrap(),
            FeedToken::generate().unwrap(),
            FeedToken::generate().unwrap(),
        );
        let mut tx = crate::store::write(&pool).await.unwrap();
        let links = [
            (mine.hash(), FeedScope::Person(alice.clone())),
            (rota.hash(), FeedScope::Rota("in-hours".into())),
        ];
        issue(&mut tx, &alice, &links, monday_ten()).await.unwrap();
        issue(
            &mut tx,
            &bob,
            &[(bobs.hash(), FeedScope::Person(bob.clone()))],
            monday_ten(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let found = lookup(&pool, &rota.hash()).await.unwrap().unwrap();
        assert_eq!(found.scope, FeedScope::Rota("in-hours".into()));
        assert_eq!(found.holder, alice);
        assert!(!found.revoked);
        let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM calendar_feeds")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(
            stored.iter().all(|(h,)| h != mine.reveal()),
            "tokens are never stored"
        );

        let mut tx = crate::store::write(&pool).await.unwrap();
        assert_eq!(revoke_all(&mut tx, &alice, monday_ten()).await.unwrap(), 2);
        tx.commit().await.unwrap();
        assert!(lookup(&pool, &mine.hash()).await.unwrap().unwrap().revoked);
        assert!(!lookup(&pool, &bobs.hash()).await.unwrap().unwrap().revoked);
        let never = FeedToken::generate().unwrap();
        assert_eq!(lookup(&pool, &never.hash()).await.unwrap(), None);
    }
}
