//! When a rota is responsible, independent of who is on it: the spans of
//! time its `covers` setting describes, worked out day by day in the
//! policy zone so they follow the wall clock across DST changes.

use crate::calendar::Calendar;
use crate::policy::{Covers, Rota};
use chrono::{DateTime, Days, NaiveDate, Utc};

pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The pieces of `date` the rota covers, in order.
fn day_pieces(cal: &Calendar, rota: &Rota, date: NaiveDate) -> Vec<Span> {
    let next_day = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let whole = (cal.start_of_day(date), cal.start_of_day(next_day));
    match &rota.covers {
        Covers::InHours => cal.in_hours_span(date).into_iter().collect(),
        // The complement of in hours, so a bank holiday is covered all day:
        // "the out-of-hours person covers the daytime" on a bank holiday.
        Covers::OutOfHours => match cal.in_hours_span(date) {
            Some((a, b)) => vec![(whole.0, a), (b, whole.1)],
            None => vec![whole],
        },
        Covers::Always => vec![whole],
        Covers::Windows(windows) => {
            let holiday = cal.is_holiday(date);
            let mut pieces: Vec<Span> = windows
                .iter()
                .filter(|w| w.days.applies(date, holiday))
                .map(|w| cal.time_span(date, w.range()))
                .collect();
            pieces.sort();
            pieces
        }
    }
}

/// The rota's covered time within `[from, to)`: maximal contiguous spans,
/// so cover running from Friday 17:00 to Monday 09:00 is one span.
pub fn cover_spans(
    cal: &Calendar,
    rota: &Rota,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    if from >= to {
        return spans;
    }
    // A day either side, so spans that run in from the previous day merge.
    let first = cal
        .local(from)
        .date_naive()
        .pred_opt()
        .unwrap_or(NaiveDate::MIN);
    let last = cal
        .local(to)
        .date_naive()
        .succ_opt()
        .unwrap_or(NaiveDate::MAX);
    let mut date = first;
    while date <= last {
        for (a, b) in day_pieces(cal, rota, date) {
            if a >= b {
                continue; // an empty piece, e.g. in-hours starting at midnight
            }
            match spans.last_mut() {
                Some(prev) if prev.1 >= a => prev.1 = prev.1.max(b),
                _ => spans.push((a, b)),
            }
        }
        date = match date.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    spans
        .into_iter()
        .filter_map(|(a, b)| {
            let (a, b) = (a.max(from), b.min(to));
            (a < b).then_some((a, b))
        })
        .collect()
}

/// Whether the rota covers `instant` at all.
pub fn covers(cal: &Calendar, rota: &Rota, instant: DateTime<Utc>) -> bool {
    let date = cal.local(instant).date_naive();
    [date.pred_opt(), Some(date)]
        .into_iter()
        .flatten()
        .flat_map(|d| day_pieces(cal, rota, d))
        .any(|(a, b)| a <= instant && instant < b)
}
