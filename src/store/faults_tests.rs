//! Storage when the disk misbehaves: a write that fails part-way must not
//! leave the one write connection unusable. SQLite only: the faults are
//! made with its pragmas.

use super::scratch::scratch_sqlite as scratch;
use super::write;
use sqlx::AnyPool;

async fn make_room(pool: &AnyPool) {
    sqlx::query("CREATE TABLE filler (blob TEXT)")
        .execute(pool)
        .await
        .unwrap();
}

/// A small write through the write path, committed.
async fn small_write(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let mut tx = write(pool).await?;
    sqlx::query("INSERT INTO filler VALUES ('x')")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[tokio::test]
async fn a_full_disk_fails_one_write_and_writes_resume_when_it_clears() {
    let (_dir, pool) = scratch().await;
    make_room(&pool).await;
    // The disk is full: the (one) write connection may not grow the file.
    // SQLite answers SQLITE_FULL exactly as for a full disk, and may roll
    // the transaction back itself.
    let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = write(&pool).await.unwrap();
    let full = sqlx::query("INSERT INTO filler VALUES ($1)")
        .bind("x".repeat(1 << 20))
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(full.to_string().contains("full"), "{full}");
    drop(tx);
    // The limit went with the connection it was set on: space is back.
    small_write(&pool)
        .await
        .expect("a write after the disk cleared");
    small_write(&pool).await.expect("and the one after that");
}

#[tokio::test]
async fn an_io_error_that_ends_the_transaction_does_not_wedge_the_writer() {
    let (_dir, pool) = scratch().await;
    make_room(&pool).await;
    let mut tx = write(&pool).await.unwrap();
    sqlx::query("INSERT INTO filler VALUES ('lost')")
        .execute(&mut *tx)
        .await
        .unwrap();
    // After SQLITE_IOERR (or SQLITE_FULL) on COMMIT, SQLite rolls the
    // transaction back by itself; the pool's bookkeeping still thinks it
    // is open, and its own ROLLBACK then fails. Do what SQLite does.
    sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
    let closed = tx.commit().await.unwrap_err();
    assert!(closed.to_string().contains("no transaction"), "{closed}");
    small_write(&pool)
        .await
        .expect("a write after the failed commit");
    let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM filler")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "the rolled-back row is gone, the new one is there");
}
