//! The `leases` table: one row per lease name (see `crate::lease` for the
//! rules). Each change is a single conditional statement, so two replicas
//! asking at once cannot both win; the statements are plain SQL that
//! PostgreSQL runs as they are (`ON CONFLICT … DO UPDATE … WHERE`,
//! `RETURNING`).

use super::time::{from_db, to_db};
use crate::lease::{HolderId, Lease, Term};
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// Takes lease `name` for `me` until `expires_at` if it is free, held by
/// `me`, or expired at or before `stale_before` (normally the wall time
/// now; see `crate::lease::may_acquire`). Returns the new term (one more
/// than the row's last), or `None` when someone else holds it.
pub async fn acquire(
    db: &AnyPool,
    name: &str,
    me: &HolderId,
    expires_at: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> anyhow::Result<Option<Term>> {
    let term: Option<i64> = sqlx::query_scalar(
        "INSERT INTO leases (name, holder, term, expires_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (name) DO UPDATE
            SET holder = excluded.holder,
                term = leases.term + 1,
                expires_at = excluded.expires_at
          WHERE leases.expires_at <= $4 OR leases.holder = $2
         RETURNING term",
    )
    .bind(name)
    .bind(me.as_str())
    .bind(to_db(expires_at))
    .bind(to_db(stale_before))
    .fetch_optional(db)
    .await?;
    Ok(term.map(Term))
}

/// Extends `me`'s `term` of lease `name` to `expires_at`; `false` when the
/// row no longer names `me` under that term (see
/// `crate::lease::may_renew`).
pub async fn renew(
    db: &AnyPool,
    name: &str,
    me: &HolderId,
    term: Term,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3 AND term = $4",
    )
    .bind(to_db(expires_at))
    .bind(name)
    .bind(me.as_str())
    .bind(term.0)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Hands lease `name` over (a clean stop): marks `me`'s `term` expired
/// long ago, so any replica may take it on its next ask, however far
/// its clock is behind. `false` if it was not `me`'s any more.
pub async fn release(db: &AnyPool, name: &str, me: &HolderId, term: Term) -> anyhow::Result<bool> {
    renew(db, name, me, term, DateTime::<Utc>::UNIX_EPOCH).await
}

/// The row for lease `name`, if any (for `/healthz`'s neighbours and
/// tests; the rules never read before writing).
pub async fn get(db: &AnyPool, name: &str) -> anyhow::Result<Option<Lease>> {
    let row: Option<(String, i64, String)> =
        sqlx::query_as("SELECT holder, term, expires_at FROM leases WHERE name = $1")
            .bind(name)
            .fetch_optional(db)
            .await?;
    row.map(|(holder, term, expires_at)| {
        Ok(Lease {
            holder: HolderId::new(holder),
            term: Term(term),
            expires_at: from_db(&expires_at)?,
        })
    })
    .transpose()
}
