//! Who is on call: rotations, cover windows and overrides resolved in one
//! place, used by `/oncall`, channel topics, incident mentions, reminders
//! and `check`.

mod coverage;
mod resolve;
mod rotation;
pub mod shifts;
mod table;
#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;

pub use coverage::{cover_spans, covers};
pub use resolve::{cover_at, covering_role, next_shifts, people_covering, shifts};
pub use rotation::{
    handover_instant, handovers, index_at as handover_index, next_handover, scheduled_member,
};
pub use table::{calendar_days_later, format_span, schedule_table};

use crate::ids::{OverrideId, UserId};
use chrono::{DateTime, Utc};

/// "@user covers ROTA from .. to ..": a swap, an hour's cover, a holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: OverrideId,
    pub rota: String,
    pub user: UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub created_by: UserId,
    /// Whom the override stands in for, when it was known at creation.
    pub covered: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A span of a rota with one person covering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub rota: String,
    pub user: UserId,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Set when the span comes from an override rather than the rotation.
    pub override_id: Option<OverrideId>,
}

/// The answer to "who covers this rota now?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    /// The shift in progress (contiguous time with the same person).
    pub shift: Shift,
    /// The shift after it, if one starts within the next few weeks.
    pub next: Option<Shift>,
}
