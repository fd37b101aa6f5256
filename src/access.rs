//! Who may do what (SPEC §2.7), as pure functions of the policy, the thing
//! acted on and the person acting. Handlers ask here before they change
//! anything; a "no" is a [`Refusal`] that names who may.
//!
//! *Responders* are everyone named in any rota of the policy, plus its
//! `admins`. Anyone in the workspace may declare, read and add a note; the
//! rest of an incident's life belongs to responders, the incident's
//! declarer and its current leads.

use crate::ids::UserId;
use crate::incident::{Action, Incident};
use crate::policy::{Policy, Role, Rota};
use crate::refusal::{Refusal, Responders};
use crate::rota::Override;
use chrono::{DateTime, Duration, Utc};

/// The longest override anyone but an admin may set (SPEC §2.7).
pub const MAX_OVERRIDE_DAYS: i64 = 90;

/// True for someone named in any rota of the policy, or one of its admins.
pub fn is_responder(policy: &Policy, user: &UserId) -> bool {
    is_admin(policy, user) || policy.rotas.iter().any(|r| r.members.contains(user))
}

pub fn is_admin(policy: &Policy, user: &UserId) -> bool {
    policy.admins.contains(user)
}

/// The responders, as a refusal names them.
pub fn responders(policy: &Policy) -> Responders {
    Responders {
        rotas: policy.rotas.iter().map(|r| r.name.clone()).collect(),
        admins: policy.admins.clone(),
    }
}

/// May `actor` apply `action` to `incident`? A note is anyone's; every
/// other change (reopening included) is for responders, the declarer and
/// the incident's current leads.
pub fn may_change(
    policy: &Policy,
    incident: &Incident,
    actor: &UserId,
    action: &Action,
) -> Result<(), Refusal> {
    let involved = incident.declared_by == *actor
        || incident.engineering_lead.as_ref() == Some(actor)
        || incident.comms_lead.as_ref() == Some(actor);
    if matches!(action, Action::Note(_)) || involved || is_responder(policy, actor) {
        return Ok(());
    }
    let mut people = vec![incident.declared_by.clone()];
    for lead in [&incident.engineering_lead, &incident.comms_lead]
        .into_iter()
        .flatten()
    {
        if !people.contains(lead) {
            people.push(lead.clone());
        }
    }
    Err(Refusal::NotYoursToChange {
        number: incident.number,
        what: verb(action),
        involved: people,
        responders: responders(policy),
    })
}

/// What a refusal says the person tried to do to the incident.
fn verb(action: &Action) -> &'static str {
    match action {
        Action::Acknowledge => "acknowledge",
        Action::TakeLead => "take the engineering lead of",
        Action::TakeComms => "take the comms lead of",
        Action::SetLead(_) => "assign the engineering lead of",
        Action::SetComms(_) => "assign the comms lead of",
        Action::Prioritise { .. } => "change the priority of",
        Action::Update(_) => "post updates on",
        Action::Note(_) => "add notes to",
        Action::FlagCyber => "flag",
        Action::Pause => "pause",
        Action::Resolve(_) => "resolve",
        Action::NotIncident(_) => "close",
        Action::ScheduleReview(_) => "record the review of",
        Action::Reopen => "reopen",
    }
}

/// May `actor` set an override on `rota`? Responders may, except on the
/// escalation rota, which only its own members and the admins may hand on.
pub fn may_cover(policy: &Policy, rota: &Rota, actor: &UserId) -> Result<(), Refusal> {
    let escalation = rota.role == Role::Escalation;
    let allowed = if escalation {
        rota.members.contains(actor) || is_admin(policy, actor)
    } else {
        is_responder(policy, actor)
    };
    if allowed {
        return Ok(());
    }
    Err(Refusal::NotYoursToCover {
        rota: rota.name.clone(),
        members: escalation.then(|| rota.members.clone()),
        responders: responders(policy),
    })
}

/// An override of `from..to` by `actor` is at most [`MAX_OVERRIDE_DAYS`]
/// long unless an admin sets it.
pub fn may_cover_for(
    policy: &Policy,
    actor: &UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), Refusal> {
    if to - from <= Duration::days(MAX_OVERRIDE_DAYS) || is_admin(policy, actor) {
        return Ok(());
    }
    Err(Refusal::OverrideTooLong {
        max_days: MAX_OVERRIDE_DAYS,
        asked_days: (to - from).num_days(),
    })
}

/// May `by` cancel `found`? Its creator, the covering person, the covered
/// person and the admins may.
pub fn may_cancel(policy: &Policy, found: &Override, by: &UserId) -> Result<(), Refusal> {
    let allowed = *by == found.created_by
        || *by == found.user
        || found.covered.as_ref() == Some(by)
        || is_admin(policy, by);
    if allowed {
        return Ok(());
    }
    Err(Refusal::NotYoursToCancel {
        id: found.id,
        created_by: found.created_by.clone(),
        covering: found.user.clone(),
        covered: found.covered.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IncidentNumber;
    use crate::incident::{declare, Declaration, Title};
    use crate::priority::Priority;
    use chrono::TimeZone;

    fn u(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn incident() -> Incident {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let declaration = Declaration {
            title: Title::parse("Routers down").unwrap(),
            description: String::new(),
            priority: Priority::P2,
            cyber: false,
            engineering_lead: Some(u("U0LEAD")),
            comms_lead: None,
            declared_by: u("U0DECLARER"),
        };
        declare(declaration, IncidentNumber(3), now).0
    }

    #[test]
    fn responders_declarer_and_leads_may_act_and_anyone_may_add_a_note() {
        let policy = Policy::builtin();
        let incident = incident();
        let resolve = Action::Resolve(None);
        for who in [
            "U0PAASEN1",
            "U0PAASCM2",
            "U0PAASSC1",
            "U0PAASDM1",
            "U0DECLARER",
            "U0LEAD",
        ] {
            assert_eq!(
                may_change(&policy, &incident, &u(who), &resolve),
                Ok(()),
                "{who}"
            );
        }
        let note = Action::Note("seen it too".into());
        assert_eq!(
            may_change(&policy, &incident, &u("U0STRANGER"), &note),
            Ok(())
        );
        let refused = may_change(&policy, &incident, &u("U0STRANGER"), &resolve).unwrap_err();
        let text = refused.to_string();
        assert!(text.contains("resolve INC-3"), "{text}");
        assert!(
            text.contains("<@U0DECLARER>") && text.contains("<@U0LEAD>"),
            "{text}"
        );
        assert!(
            text.contains("`escalation`") && text.contains("<@U0PAASDM1>"),
            "{text}"
        );
    }

    #[test]
    fn the_escalation_rota_is_handed_on_only_by_its_members_and_admins() {
        let policy = Policy::builtin();
        let escalation = policy.escalation().unwrap();
        let in_hours = policy.rota("in-hours").unwrap();
        assert!(may_cover(&policy, escalation, &u("U0PAASSC2")).is_ok());
        assert!(may_cover(&policy, escalation, &u("U0PAASDM1")).is_ok());
        assert!(may_cover(&policy, escalation, &u("U0PAASEN1")).is_err());
        assert!(may_cover(&policy, in_hours, &u("U0PAASCM1")).is_ok());
        let text = may_cover(&policy, in_hours, &u("U0STRANGER"))
            .unwrap_err()
            .to_string();
        assert!(text.contains("responders"), "{text}");
    }

    #[test]
    fn ninety_days_is_the_longest_override_except_for_an_admin() {
        let policy = Policy::builtin();
        let from = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let ok = from + Duration::days(90);
        let long = ok + Duration::minutes(1);
        assert!(may_cover_for(&policy, &u("U0PAASEN1"), from, ok).is_ok());
        assert!(may_cover_for(&policy, &u("U0PAASEN1"), from, long).is_err());
        assert!(may_cover_for(&policy, &u("U0PAASDM1"), from, long).is_ok());
    }
}
