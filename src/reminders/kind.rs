//! The kinds of reminder, as stored in the `reminders.kind` column.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// No acknowledgement by the response deadline.
    Response,
    /// Still unacknowledged: escalate to the escalation rota.
    Escalate,
    /// An update is due soon.
    UpdateWarning,
    /// An update is due now.
    UpdateDue,
    /// Ask the engineering lead for news (P1/P2).
    AskForUpdate,
    /// 17:00 on a working day: pause and document.
    PauseAt,
    /// Hours of continuous work: pause and document.
    Stretch,
    /// 09:00/17:00 crossing: update the status page.
    OfficeHours,
    /// Leads who worked out of hours may rest.
    Rest,
    /// No incident review recorded yet.
    Review,
    /// A rota changes hands.
    Handover,
    /// The last in-hours close before a rota changes hands: the end-of-week
    /// handover meeting.
    WeekEnd,
    /// An alert group's page, held for in-hours, goes out (SPEC §6).
    AlertPage,
    /// An alert group still unacknowledged: page the escalation rota.
    AlertEscalate,
    /// A cover request nobody took lapses at its start.
    Lapse,
    /// A person's shift starts within their lead (`[oncall] remind_before`).
    ShiftAhead,
}

const ALL: [(Kind, &str); 16] = [
    (Kind::Response, "response"),
    (Kind::Escalate, "escalate"),
    (Kind::UpdateWarning, "update_warning"),
    (Kind::UpdateDue, "update_due"),
    (Kind::AskForUpdate, "ask_for_update"),
    (Kind::PauseAt, "pause_at"),
    (Kind::Stretch, "stretch"),
    (Kind::OfficeHours, "office_hours"),
    (Kind::Rest, "rest"),
    (Kind::Review, "review"),
    (Kind::Handover, "handover"),
    (Kind::WeekEnd, "week_end"),
    (Kind::AlertPage, "alert_page"),
    (Kind::AlertEscalate, "alert_escalate"),
    (Kind::Lapse, "lapse"),
    (Kind::ShiftAhead, "shift_ahead"),
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        ALL.iter()
            .find(|(k, _)| *k == self)
            .map(|(_, name)| *name)
            .unwrap_or("unknown")
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ALL.iter()
            .find(|(_, name)| *name == s)
            .map(|(k, _)| *k)
            .ok_or_else(|| format!("unknown reminder kind `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_stored_name() {
        for (kind, name) in ALL {
            assert_eq!(kind.as_str(), name);
            assert_eq!(name.parse::<Kind>(), Ok(kind));
        }
        assert!("nope".parse::<Kind>().is_err());
    }
}
