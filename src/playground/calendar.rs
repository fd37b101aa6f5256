//! The rota calendar page: each rota's next 14 days, day by day, with who
//! covers when (from the rota module's own shifts, so the page and the
//! bot agree) and overrides marked.

use super::page::layout;
use super::Shared;
use crate::clock::Clock;
use crate::rota::{self, Override};
use chrono::{Duration, NaiveTime};
use maud::{html, Markup};

/// Days the calendar shows (SPEC §8).
pub const DAYS: u32 = 14;

/// A shift's end as a time of day: midnight at the end of a day is 24:00.
fn until(cal: &crate::calendar::Calendar, to: chrono::DateTime<chrono::Utc>) -> String {
    let local = cal.local(to);
    if local.time() == NaiveTime::MIN {
        "24:00".to_owned()
    } else {
        local.format("%H:%M").to_string()
    }
}

pub(crate) fn render(shared: &Shared, overrides: &[Override]) -> Markup {
    let cal = shared.policy.calendar();
    let now = shared.clock.now();
    let first = cal.local(now).date_naive();
    let midnight = NaiveTime::MIN;
    let days: Vec<_> = (0..DAYS as i64)
        .map(|d| first + Duration::days(d))
        .collect();
    let body = html! {
        main #main {
            h1 { "Rota calendar" }
            p {
                "Who covers each rota for the next " (DAYS) " days from "
                (cal.local(now).format("%a %d %b %Y %H:%M %Z"))
                ", the bot's clock. Overrides are marked."
            }
            @for r in &shared.policy.rotas {
                table {
                    caption { (r.name) }
                    thead { tr { th scope="col" { "Day" } th scope="col" { "Who covers" } } }
                    tbody {
                        @for day in &days {
                            @let from = cal.instant(*day, midnight);
                            @let to = cal.instant(*day + Duration::days(1), midnight);
                            @let shifts = rota::shifts(&cal, r, from, to, overrides);
                            tr {
                                th scope="row" {
                                    (day.format("%a %d %b"))
                                    @if !cal.is_working_day(*day) { " (not a working day)" }
                                }
                                td {
                                    @if shifts.is_empty() { "No cover" }
                                    @else {
                                        ul {
                                            @for s in &shifts {
                                                li {
                                                    (cal.local(s.from).format("%H:%M")) "–"
                                                    (until(&cal, s.to)) " "
                                                    @if s.override_id.is_some() {
                                                        mark { (s.user) " (override)" }
                                                    } @else {
                                                        (s.user)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout("Rota calendar", "/rotas", body)
}
