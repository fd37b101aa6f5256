//! When an alert group's page goes out and when the escalation rota is
//! called (SPEC §6): at once, or for a route with `out_of_hours = false`
//! at the next in-hours start; then, unacknowledged after
//! `acknowledge_within`, the escalation rota's person. Due instants are
//! anchored on the episode (when the group started firing), never on
//! `now`, so planning twice gives the same reminder slots.

use crate::calendar::Calendar;
use crate::policy::{AlertRoute, Page, Policy};
use crate::reminders::{Kind, Planned};
use chrono::{DateTime, Utc};

/// When a group that started firing at `since` pages its route's role:
/// None when the route pages nobody; `since` itself unless the route
/// waits for in-hours and `since` is out of hours.
pub fn page_at(cal: &Calendar, route: &AlertRoute, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match route.page {
        Page::Nobody => None,
        Page::Role(_) if route.out_of_hours => Some(since),
        Page::Role(_) => Some(cal.resume_in_hours(since)),
    }
}

/// What a group is owed from `now` on, given when its page went out (or
/// is held until) and whether anyone has acknowledged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    /// When the page went out, or will.
    pub page_at: DateTime<Utc>,
    /// True once the page has gone out.
    pub paged: bool,
    pub acknowledged: bool,
    pub escalated: bool,
    pub firing: bool,
}

/// The reminder rows a group is owed: the held page's release, then the
/// escalation `acknowledge_within` after the page. Nothing once it is
/// acknowledged, escalated or resolved.
pub fn plan(policy: &Policy, episode: &Episode) -> Vec<Planned> {
    if !episode.firing || episode.acknowledged || episode.escalated {
        return Vec::new();
    }
    let escalate = Planned {
        kind: Kind::AlertEscalate,
        due: episode.page_at + policy.alerts.acknowledge_within,
    };
    if episode.paged {
        vec![escalate]
    } else {
        vec![
            Planned {
                kind: Kind::AlertPage,
                due: episode.page_at,
            },
            escalate,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Role;
    use chrono::TimeZone;

    fn route(out_of_hours: bool) -> AlertRoute {
        AlertRoute {
            matchers: Default::default(),
            page: Page::Role(Role::Engineering),
            priority: None,
            out_of_hours,
        }
    }

    #[test]
    fn a_warning_out_of_hours_waits_for_the_next_in_hours_start() {
        let policy = Policy::builtin();
        let cal = policy.calendar();
        // Friday 27 November 2026, 20:00 in London (GMT): Monday 09:00 next.
        let friday_night = Utc.with_ymd_and_hms(2026, 11, 27, 20, 0, 0).unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        assert_eq!(page_at(&cal, &route(false), friday_night), Some(monday));
        assert_eq!(
            page_at(&cal, &route(true), friday_night),
            Some(friday_night)
        );
        let tuesday_ten = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(page_at(&cal, &route(false), tuesday_ten), Some(tuesday_ten));
        let nobody = AlertRoute {
            page: Page::Nobody,
            ..route(true)
        };
        assert_eq!(page_at(&cal, &nobody, tuesday_ten), None);
    }

    #[test]
    fn escalation_is_due_acknowledge_within_after_the_page_and_not_once_acknowledged() {
        let policy = Policy::builtin();
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let held = Episode {
            page_at: at,
            paged: false,
            acknowledged: false,
            escalated: false,
            firing: true,
        };
        let due = at + chrono::Duration::minutes(30);
        assert_eq!(
            plan(&policy, &held),
            [
                Planned {
                    kind: Kind::AlertPage,
                    due: at
                },
                Planned {
                    kind: Kind::AlertEscalate,
                    due
                },
            ]
        );
        let paged = Episode {
            paged: true,
            ..held
        };
        assert_eq!(
            plan(&policy, &paged),
            [Planned {
                kind: Kind::AlertEscalate,
                due
            }]
        );
        for done in [
            Episode {
                acknowledged: true,
                ..paged
            },
            Episode {
                escalated: true,
                ..paged
            },
            Episode {
                firing: false,
                ..paged
            },
        ] {
            assert!(plan(&policy, &done).is_empty(), "{done:?}");
        }
    }
}
