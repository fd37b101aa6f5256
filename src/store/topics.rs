//! The segment the bot last wrote into each channel's topic, so it calls
//! `conversations.setTopic` (which pings the channel) only on a change.

use super::time::to_db;
use crate::ids::ChannelId;
use chrono::{DateTime, Utc};

/// The segment last written to `channel`'s topic, if any.
pub async fn segment(
    db: impl sqlx::AnyExecutor<'_>,
    channel: &ChannelId,
) -> anyhow::Result<Option<String>> {
    let stored = sqlx::query_scalar("SELECT segment FROM topic_segments WHERE channel = $1")
        .bind(channel.as_str())
        .fetch_optional(db)
        .await?;
    Ok(stored)
}

/// Records that `segment` is now in `channel`'s topic, as of `now`.
pub async fn set_segment(
    db: impl sqlx::AnyExecutor<'_>,
    channel: &ChannelId,
    segment: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO topic_segments (channel, segment, set_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel) DO UPDATE SET segment = excluded.segment, set_at = excluded.set_at",
    )
    .bind(channel.as_str())
    .bind(segment)
    .bind(to_db(now))
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::time::from_db;
    use chrono::Duration;

    async fn set_at(pool: &sqlx::AnyPool, channel: &ChannelId) -> DateTime<Utc> {
        let raw: String =
            sqlx::query_scalar("SELECT set_at FROM topic_segments WHERE channel = $1")
                .bind(channel.as_str())
                .fetch_one(pool)
                .await
                .unwrap();
        from_db(&raw).unwrap()
    }

    #[tokio::test]
    async fn a_channel_has_no_segment_until_one_is_set() {
        let (_dir, pool) = super::super::scratch().await;
        let ops = ChannelId::parse("C0OPS").unwrap();
        assert_eq!(segment(&pool, &ops).await.unwrap(), None);
        let t0 = super::super::monday_ten();
        set_segment(&pool, &ops, "[On call: @a]", t0).await.unwrap();
        assert_eq!(
            segment(&pool, &ops).await.unwrap().as_deref(),
            Some("[On call: @a]")
        );
        assert_eq!(set_at(&pool, &ops).await, t0);
    }

    #[tokio::test]
    async fn setting_again_replaces_the_segment_of_that_channel_only() {
        let (_dir, pool) = super::super::scratch().await;
        let t0 = super::super::monday_ten();
        let ops = ChannelId::parse("C0OPS").unwrap();
        let comms = ChannelId::parse("C0COMMS").unwrap();
        set_segment(&pool, &ops, "[On call: @a]", t0).await.unwrap();
        set_segment(&pool, &comms, "[On call: @c]", t0)
            .await
            .unwrap();
        let later = t0 + Duration::hours(1);
        set_segment(&pool, &ops, "[On call: @b]", later)
            .await
            .unwrap();
        assert_eq!(
            segment(&pool, &ops).await.unwrap().as_deref(),
            Some("[On call: @b]")
        );
        assert_eq!(set_at(&pool, &ops).await, later);
        assert_eq!(
            segment(&pool, &comms).await.unwrap().as_deref(),
            Some("[On call: @c]")
        );
        assert_eq!(set_at(&pool, &comms).await, t0);
    }
}
