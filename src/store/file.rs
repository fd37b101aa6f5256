//! The SQLite file itself, checked before it is opened and while the bot
//! runs: one process at a time (a lock file beside it), owner-only
//! permissions, a read-only or vanished file refused at start, and a file
//! deleted or made read-only underneath a running bot noticed by `/healthz`.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The file a `sqlite://` URL names; `None` for an in-memory database or
/// any other backend (PostgreSQL has no file, and needs no lock: replicas
/// share it under the lease).
pub fn path_of(url: &str) -> Option<PathBuf> {
    use crate::database_url::{Backend, DatabaseUrl};
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;
    // The driver names an in-memory database `file:sqlx-in-memory-N`.
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if in_memory || DatabaseUrl::new(url).backend() != Some(Backend::Sqlite) {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && path != Path::new(":memory:")).then(|| path.to_owned())
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Held while a bot serves from the database; released when dropped (and
/// by the OS when the process dies, so a crash leaves nothing to clean).
#[derive(Debug)]
pub struct Lock {
    file: File,
}

impl Lock {
    /// Notes in the lock file that a bot has served from the database, so
    /// that a later start finding the database gone refuses (see
    /// `prepare`) rather than begin again, empty.
    pub fn mark_served(&self) -> std::io::Result<()> {
        use std::io::Write;
        (&self.file).write_all(b"served\n")?;
        self.file.sync_all()
    }
}

/// Whether a bot has served from `db` before (its lock file says so).
fn served_before(db: &Path) -> bool {
    std::fs::metadata(lock_path(db)).is_ok_and(|m| m.len() > 0)
}

/// Another process holds the lock: the database is reachable, but taken.
#[derive(Debug, thiserror::Error)]
#[error(
    "another paas-incident-bot is already serving from `{}` (it holds `{}`); \
     stop it first: two would post every card twice",
    db.display(),
    lock.display()
)]
pub struct AlreadyServing {
    db: PathBuf,
    lock: PathBuf,
}

/// Takes the exclusive lock on `DB.lock` beside the database, refusing with
/// a message naming the file if another process holds it: two bots on one
/// file would each post every card and thread reply.
pub fn lock(db: &Path) -> anyhow::Result<Lock> {
    let path = lock_path(db);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("cannot open the lock file `{}`: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(AlreadyServing {
            db: db.to_owned(),
            lock: path,
        }
        .into()),
        Err(std::fs::TryLockError::Error(e)) => {
            anyhow::bail!("cannot lock `{}`: {e}", path.display())
        }
    }
}

/// Gets the file ready for `serve`: creates it owner-only (0600) when it
/// is new, and refuses, with a message saying what to do, a file that is
/// read-only, or one that is missing although a bot has served from it
/// before (its lock file remains): starting empty would number incidents
/// from INC-1 again.
pub fn prepare(db: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(db) {
        Ok(meta) => {
            if meta.permissions().readonly() {
                anyhow::bail!(
                    "the database file `{}` is read-only; the bot must be able to write it \
                     (chmod u+w, or point DATABASE_URL at a writable copy)",
                    db.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if served_before(db) {
                anyhow::bail!(
                    "the database file `{}` is missing, but `{}` shows a bot served from it: \
                     restore the file, or delete the lock file to start afresh from INC-1",
                    db.display(),
                    lock_path(db).display()
                );
            }
            OpenOptions::new()
                .create_new(true)
                .write(true)
                .mode(0o600)
                .open(db)
                .map(drop)
                .map_err(|e| anyhow::anyhow!("cannot create the database `{}`: {e}", db.display()))
        }
        Err(e) => anyhow::bail!("cannot read the database file `{}`: {e}", db.display()),
    }
}

/// Which file the bot opened, to notice it being deleted or replaced.
#[derive(Debug, Clone)]
pub struct Identity {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl Identity {
    pub fn of(path: &Path) -> std::io::Result<Identity> {
        let meta = std::fs::metadata(path)?;
        Ok(Identity {
            path: path.to_owned(),
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    /// Why writes would not last, if they would not: the file is gone (or
    /// another is in its place), so what is written now is lost on
    /// restart; or it has been made read-only.
    pub fn problem(&self) -> Option<&'static str> {
        match std::fs::metadata(&self.path) {
            Err(_) => Some("database file deleted"),
            Ok(meta) if (meta.dev(), meta.ino()) != (self.dev, self.ino) => {
                Some("database file replaced")
            }
            Ok(meta) if meta.permissions().readonly() => Some("database file read-only"),
            Ok(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_a_sqlite_url_names_a_file() {
        assert_eq!(
            path_of("sqlite:///data/bot.db"),
            Some(PathBuf::from("/data/bot.db"))
        );
        assert_eq!(path_of("sqlite::memory:"), None);
        assert_eq!(path_of("postgres://bot:pw@db/bot.db"), None);
    }

    #[test]
    fn a_second_lock_on_the_same_file_is_refused_until_the_first_goes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.db");
        let first = lock(&db).unwrap();
        let refused = lock(&db).unwrap_err().to_string();
        assert!(refused.contains("already serving"), "{refused}");
        assert!(refused.contains("bot.db.lock"), "{refused}");
        drop(first);
        lock(&db).expect("free again once the first is dropped");
    }

    #[test]
    fn a_new_file_is_owner_only_and_a_read_only_or_vanished_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.db");
        prepare(&db).unwrap();
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
        let refused = prepare(&db).unwrap_err().to_string();
        assert!(refused.contains("read-only"), "{refused}");

        let held = lock(&db).unwrap();
        std::fs::remove_file(&db).unwrap();
        prepare(&db).expect("never served from: a fresh start");
        std::fs::remove_file(&db).unwrap();
        held.mark_served().unwrap();
        let refused = prepare(&db).unwrap_err().to_string();
        assert!(refused.contains("missing"), "{refused}");
        assert!(!db.exists(), "no empty database was made");
    }

    #[test]
    fn deleting_replacing_or_write_protecting_the_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.db");
        prepare(&db).unwrap();
        let identity = Identity::of(&db).unwrap();
        assert_eq!(identity.problem(), None);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(identity.problem(), Some("database file read-only"));
        // Written beside it first, so it cannot reuse the old file's inode.
        let other = dir.path().join("other.db");
        std::fs::write(&other, b"").unwrap();
        std::fs::rename(&other, &db).unwrap();
        assert_eq!(identity.problem(), Some("database file replaced"));
        std::fs::remove_file(&db).unwrap();
        assert_eq!(identity.problem(), Some("database file deleted"));
    }
}
