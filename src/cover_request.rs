//! Cover requests (SPEC §7): someone on a rota asks the rest of it to cover
//! them for a while. A request is open until the first member takes it
//! (which sets an override, as `/oncall cover` does) or it lapses at its
//! start with nobody having taken it.

use crate::ids::{OverrideId, UserId};
use crate::policy::Rota;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A cover request's id: shown as `REQ-N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CoverRequestId(pub i64);

impl fmt::Display for CoverRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "REQ-{}", self.0)
    }
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Nobody has taken it and its start has not come.
    Open,
    /// `by` took it, which set `override_id`.
    Covered {
        by: UserId,
        at: DateTime<Utc>,
        override_id: Option<OverrideId>,
    },
    /// Its start came with nobody having taken it.
    Lapsed { at: DateTime<Utc> },
}

/// "Please cover me on ROTA from .. to ..", as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverRequest {
    pub id: CoverRequestId,
    /// The rota's configured name.
    pub rota: String,
    pub asked_by: UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// What the asker added after the range (plain text, may be empty).
    pub note: String,
    pub asked_at: DateTime<Utc>,
    pub state: State,
}

impl CoverRequest {
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }
}

/// Why someone may not take a request; the handler words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTaken {
    /// Someone else took it first.
    AlreadyCovered(UserId),
    /// Its start came and went.
    Lapsed,
    /// The asker cannot cover themselves.
    OwnRequest,
    /// Only members of the rota may cover it (SPEC §2.7).
    NotOnRota { members: Vec<UserId> },
}

/// May `user` take `request` on `rota` as it stands? Pure: the database's
/// conditional update decides between two presses at once.
pub fn may_take(request: &CoverRequest, rota: &Rota, user: &UserId) -> Result<(), NotTaken> {
    match &request.state {
        State::Covered { by, .. } => return Err(NotTaken::AlreadyCovered(by.clone())),
        State::Lapsed { .. } => return Err(NotTaken::Lapsed),
        State::Open => {}
    }
    if request.asked_by == *user {
        return Err(NotTaken::OwnRequest);
    }
    if !rota.members.contains(user) {
        return Err(NotTaken::NotOnRota {
            members: rota.members.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use chrono::TimeZone;

    fn user(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    fn request(state: State) -> CoverRequest {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap();
        CoverRequest {
            id: CoverRequestId(3),
            rota: "in-hours".into(),
            asked_by: user("U0PAASEN4"),
            from: at,
            to: at + chrono::Duration::hours(8),
            note: String::new(),
            asked_at: at - chrono::Duration::days(1),
            state,
        }
    }

    #[test]
    fn only_other_members_may_take_an_open_request() {
        let policy = Policy::builtin();
        let rota = policy.rota("in-hours").unwrap();
        let open = request(State::Open);
        assert_eq!(may_take(&open, rota, &user("U0PAASEN1")), Ok(()));
        assert_eq!(
            may_take(&open, rota, &user("U0PAASEN4")),
            Err(NotTaken::OwnRequest)
        );
        assert!(matches!(
            may_take(&open, rota, &user("U0PAASCM1")),
            Err(NotTaken::NotOnRota { .. })
        ));
        let taken = request(State::Covered {
            by: user("U0PAASEN2"),
            at: open.asked_at,
            override_id: Some(OverrideId(1)),
        });
        assert_eq!(
            may_take(&taken, rota, &user("U0PAASEN1")),
            Err(NotTaken::AlreadyCovered(user("U0PAASEN2")))
        );
        let lapsed = request(State::Lapsed { at: open.from });
        assert_eq!(
            may_take(&lapsed, rota, &user("U0PAASEN1")),
            Err(NotTaken::Lapsed)
        );
        assert_eq!(CoverRequestId(3).to_string(), "REQ-3");
    }
}
