//! `BENCH_ONLY=feed`: how long a calendar feed takes to generate, from the
//! rota resolver to the iCalendar text, for a year of a 20-person rota
//! (daily out-of-hours rotation, so two pieces a working day and whole
//! weekends, with 50 overrides), and for the 92-day window a feed serves.
//! Pure computation: no database, no HTTP.

use super::stats::{ms, summarise};
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use paas_incident_bot::feed::{feed_shifts, ics, window, FeedScope};
use paas_incident_bot::ids::{OverrideId, UserId};
use paas_incident_bot::policy::{Handover, Policy, Rotation};
use paas_incident_bot::rota::Override;
use std::time::Instant;

const RUNS: usize = 30;

fn person(i: usize) -> UserId {
    UserId::parse(&format!("U0BENCH{i:02}")).unwrap()
}

pub fn print() -> anyhow::Result<()> {
    let mut policy = Policy::builtin();
    let rota = policy
        .rotas
        .iter_mut()
        .find(|r| r.name == "out-of-hours")
        .expect("the built-in out-of-hours rota");
    rota.members = (0..20).map(person).collect();
    rota.rotation = Rotation::Daily;
    rota.handover = Handover {
        weekday: None,
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    };
    let cal = policy.calendar();
    let now = Utc.with_ymd_and_hms(2027, 1, 4, 12, 0, 0).unwrap();
    let overrides: Vec<Override> = (0..50)
        .map(|i| Override {
            id: OverrideId(i + 1),
            rota: "out-of-hours".into(),
            user: person((i as usize * 7) % 20),
            from: now + Duration::days(i * 7) + Duration::hours(6),
            to: now + Duration::days(i * 7) + Duration::hours(30),
            created_by: person(0),
            covered: None,
            created_at: now,
        })
        .collect();
    println!("| feed | window | events | bytes | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    let year = (now, now + Duration::days(365));
    let cases = [
        (
            "rota, 20 people",
            FeedScope::Rota("out-of-hours".into()),
            year,
            "365 days",
        ),
        (
            "one person's",
            FeedScope::Person(person(3)),
            year,
            "365 days",
        ),
        (
            "rota, 20 people",
            FeedScope::Rota("out-of-hours".into()),
            window(now),
            "92 days",
        ),
    ];
    for (name, scope, (from, to), span) in cases {
        let mut samples = Vec::with_capacity(RUNS);
        let mut shape = (0, 0);
        for _ in 0..RUNS {
            let started = Instant::now();
            let shifts = feed_shifts(&policy, &cal, &scope, from, to, &overrides);
            let text = ics(&cal, &scope, &shifts, now);
            samples.push(started.elapsed());
            shape = (shifts.len(), text.len());
        }
        let s = summarise(samples);
        println!(
            "| {name} | {span} | {} | {} | {} | {} | {} |",
            shape.0,
            shape.1,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    Ok(())
}
