//! What the acks read, in memory: the open incidents and the live
//! overrides. Loaded at start; every write that changes either updates it
//! after its commit, so `/oncall`, `/incident list` and the Home tab answer
//! without touching the database. Updates may arrive out of order (two
//! changes to one incident commit in one order and report in another): an
//! incident's version decides, and a closed incident's last version is
//! remembered so a late, older update cannot bring it back.
//!
//! With several replicas on PostgreSQL, another replica's commits reach
//! this one as notices (`loops::changes`), and the lists are read again.
//!
//! `/oncall`'s answer is also kept, for the minute it was worked out in and
//! the overrides it was worked out from: the resolver turns about forty
//! days of every rota into shifts for it (a millisecond, mostly time-zone
//! conversions; see docs/PERFORMANCE.md), and who is on call cannot change
//! within a minute, so under load every ask after the first is a lookup.

use crate::ids::{IncidentNumber, OverrideId};
use crate::incident::Incident;
use crate::rota::Override;
use crate::store::{incidents, overrides};
use chrono::{DateTime, Utc};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

#[derive(Default)]
struct Snapshot {
    /// Open incidents, most urgent first, then oldest (as `incidents::open`).
    open: Arc<Vec<Incident>>,
    /// The newest version seen of each incident changed since start.
    versions: HashMap<IncidentNumber, i64>,
    /// Live (not cancelled) overrides, by start then id (as `overrides::live`).
    overrides: Arc<Vec<Override>>,
}

/// An answer worked out for one minute from one set of overrides. Holding
/// the set keeps it alive, so a new set can never share its address.
struct Kept {
    overrides: Arc<Vec<Override>>,
    minute: DateTime<Utc>,
    answer: Arc<str>,
}

#[derive(Default)]
pub struct Live {
    snapshot: RwLock<Snapshot>,
    oncall: Mutex<Option<Kept>>,
    /// Counts this replica's own updates, so a reload that read the
    /// database while one was applied does not roll it back (`reload`).
    updates: AtomicU64,
}

impl Live {
    pub async fn load(db: &AnyPool) -> anyhow::Result<Live> {
        let open = incidents::open(db).await?;
        let overrides = overrides::live(db).await?;
        Ok(Live {
            snapshot: RwLock::new(Snapshot {
                versions: open.iter().map(|i| (i.number, i.version)).collect(),
                open: Arc::new(open),
                overrides: Arc::new(overrides),
            }),
            oncall: Mutex::default(),
            updates: AtomicU64::new(0),
        })
    }

    /// Reads both lists again, after another replica changed them (see
    /// `loops::changes`). If this replica applied an update of its own
    /// while they were being read, what was read may predate it, so it is
    /// read again (up to three times; the next notice reloads anyway).
    pub async fn reload(&self, db: &AnyPool) -> anyhow::Result<()> {
        for _ in 0..3 {
            let before = self.updates.load(Ordering::SeqCst);
            let open = incidents::open(db).await?;
            let overrides = overrides::live(db).await?;
            let mut snapshot = self.write();
            if self.updates.load(Ordering::SeqCst) != before {
                continue;
            }
            for i in &open {
                let seen = snapshot.versions.entry(i.number).or_insert(i.version);
                *seen = (*seen).max(i.version);
            }
            snapshot.open = Arc::new(open);
            snapshot.overrides = Arc::new(overrides);
            return Ok(());
        }
        Ok(())
    }

    /// Takes the write lock for one of this replica's own updates.
    fn update(&self) -> RwLockWriteGuard<'_, Snapshot> {
        let snapshot = self.write();
        self.updates.fetch_add(1, Ordering::SeqCst);
        snapshot
    }

    fn read(&self) -> RwLockReadGuard<'_, Snapshot> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Snapshot> {
        self.snapshot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// `/oncall`'s answer for `minute` (a whole minute, see
    /// [`crate::clock::this_minute`]): kept from an earlier ask in the same
    /// minute with the same overrides, else worked out by `work_out` from
    /// the live overrides and kept.
    pub fn oncall_answer(
        &self,
        minute: DateTime<Utc>,
        work_out: impl FnOnce(&[Override]) -> String,
    ) -> Arc<str> {
        let overrides = self.overrides();
        let mut kept = self.oncall.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.as_ref() {
            if k.minute == minute && Arc::ptr_eq(&k.overrides, &overrides) {
                return k.answer.clone();
            }
        }
        // Worked out under the lock: asks that arrive meanwhile wait for
        // this answer rather than each working out their own.
        let answer: Arc<str> = work_out(&overrides).into();
        *kept = Some(Kept {
            overrides,
            minute,
            answer: answer.clone(),
        });
        answer
    }

    /// Open incidents, most urgent first, then oldest first.
    pub fn open(&self) -> Arc<Vec<Incident>> {
        self.read().open.clone()
    }

    /// Every live override, past ones included (the resolver ignores those
    /// outside the instant asked about).
    pub fn overrides(&self) -> Arc<Vec<Override>> {
        self.read().overrides.clone()
    }

    /// Live overrides that have not ended by `now`.
    pub fn current_overrides(&self, now: DateTime<Utc>) -> Vec<Override> {
        self.overrides()
            .iter()
            .filter(|o| o.to > now)
            .cloned()
            .collect()
    }

    /// An incident as just committed (declared or changed).
    pub fn incident_changed(&self, incident: &Incident) {
        let mut snapshot = self.update();
        let seen = snapshot.versions.get(&incident.number).copied();
        if seen.is_some_and(|v| v > incident.version) {
            return; // a newer change already reported
        }
        snapshot.versions.insert(incident.number, incident.version);
        let mut open: Vec<Incident> = snapshot
            .open
            .iter()
            .filter(|i| i.number != incident.number)
            .cloned()
            .collect();
        if incident.is_open() {
            open.push(incident.clone());
            open.sort_by_key(|i| (i.priority, i.number));
        }
        snapshot.open = Arc::new(open);
    }

    pub fn override_created(&self, created: &Override) {
        let mut snapshot = self.update();
        let mut live: Vec<Override> = snapshot.overrides.as_ref().clone();
        live.push(created.clone());
        live.sort_by_key(|o| (o.from, o.id));
        snapshot.overrides = Arc::new(live);
    }

    pub fn override_cancelled(&self, id: OverrideId) {
        let mut snapshot = self.update();
        let live: Vec<Override> = snapshot
            .overrides
            .iter()
            .filter(|o| o.id != id)
            .cloned()
            .collect();
        snapshot.overrides = Arc::new(live);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::incident::{declare, Declaration, Status, Title};
    use crate::priority::Priority;
    use chrono::TimeZone;

    fn incident(number: i64, priority: Priority, version: i64, status: Status) -> Incident {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let declaration = Declaration {
            title: Title::parse("Apps down").unwrap(),
            description: String::new(),
            priority,
            cyber: false,
            engineering_lead: None,
            comms_lead: None,
            declared_by: UserId::parse("U1").unwrap(),
        };
        let (mut incident, _) = declare(declaration, IncidentNumber(number), at);
        incident.version = version;
        incident.status = status;
        incident
    }

    fn numbers(live: &Live) -> Vec<i64> {
        live.open().iter().map(|i| i.number.0).collect()
    }

    #[test]
    fn open_incidents_stay_ordered_by_priority_then_number() {
        let live = Live::default();
        live.incident_changed(&incident(2, Priority::P3, 1, Status::Declared));
        live.incident_changed(&incident(1, Priority::P3, 1, Status::Declared));
        live.incident_changed(&incident(3, Priority::P1, 1, Status::Declared));
        assert_eq!(numbers(&live), [3, 1, 2]);
        live.incident_changed(&incident(2, Priority::P1, 2, Status::Acknowledged));
        assert_eq!(numbers(&live), [2, 3, 1]);
        live.incident_changed(&incident(3, Priority::P1, 2, Status::Resolved));
        assert_eq!(numbers(&live), [2, 1]);
    }

    #[test]
    fn a_late_older_change_cannot_reopen_or_roll_back() {
        let live = Live::default();
        live.incident_changed(&incident(1, Priority::P2, 3, Status::Resolved));
        live.incident_changed(&incident(1, Priority::P2, 2, Status::Acknowledged));
        assert!(numbers(&live).is_empty());
        live.incident_changed(&incident(4, Priority::P2, 5, Status::Acknowledged));
        live.incident_changed(&incident(4, Priority::P1, 4, Status::Acknowledged));
        assert_eq!(live.open()[0].priority, Priority::P2);
    }

    #[test]
    fn overrides_come_and_go_by_id() {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap();
        let o = |id, from, to| Override {
            id: OverrideId(id),
            rota: "in-hours".to_owned(),
            user: UserId::parse("U2").unwrap(),
            from: at(from),
            to: at(to),
            created_by: UserId::parse("U1").unwrap(),
            covered: None,
            created_at: at(1),
        };
        let live = Live::default();
        live.override_created(&o(2, 12, 14));
        live.override_created(&o(1, 10, 11));
        let ids = |v: &[Override]| v.iter().map(|o| o.id.0).collect::<Vec<_>>();
        assert_eq!(ids(&live.overrides()), [1, 2]);
        assert_eq!(ids(&live.current_overrides(at(11))), [2]);
        live.override_cancelled(OverrideId(2));
        assert_eq!(ids(&live.overrides()), [1]);
    }

    #[test]
    fn the_oncall_answer_is_kept_for_its_minute_and_its_overrides() {
        let at = |m| Utc.with_ymd_and_hms(2026, 11, 23, 10, m, 0).unwrap();
        let live = Live::default();
        let worked = std::cell::Cell::new(0);
        let ask = |minute| {
            live.oncall_answer(minute, |o| {
                worked.set(worked.get() + 1);
                format!("{} overrides at {minute}", o.len())
            })
        };
        assert_eq!(&*ask(at(0)), "0 overrides at 2026-11-23 10:00:00 UTC");
        ask(at(0));
        assert_eq!(worked.get(), 1, "a second ask in the minute is a lookup");
        ask(at(1));
        assert_eq!(worked.get(), 2, "a new minute is worked out again");
        live.override_created(&Override {
            id: OverrideId(1),
            rota: "in-hours".to_owned(),
            user: UserId::parse("U2").unwrap(),
            from: at(5),
            to: at(9),
            created_by: UserId::parse("U1").unwrap(),
            covered: None,
            created_at: at(1),
        });
        assert_eq!(&*ask(at(1)), "1 overrides at 2026-11-23 10:01:00 UTC");
        assert_eq!(worked.get(), 3, "a change of overrides is worked out again");
    }
}
