//! Usage text shown by `help` and under every parse error (Slack mrkdwn).

pub const INCIDENT_USAGE: &str = "*/incident* — declare and run an incident\n\
• `/incident declare [title]` — open the declare form\n\
• `/incident list` — open incidents, their priority, leads and next deadline\n\
• `/incident show INC-N` — one incident's card\n\
• `/incident update INC-N text` — post a status update (resets the update deadline)\n\
• `/incident priority INC-N P1..P4 [reason]` — change the priority\n\
• `/incident lead INC-N @person` — assign the engineering lead\n\
• `/incident comms INC-N @person` — assign the comms lead\n\
• `/incident ack INC-N` — acknowledge; you become engineering lead if nobody is\n\
• `/incident note INC-N text` — add to the timeline without resetting deadlines\n\
• `/incident cyber INC-N` — flag as a cyber security incident\n\
• `/incident pause INC-N` — pause and document, with the checklist\n\
• `/incident resolve INC-N [summary]` — resolve it\n\
• `/incident not-incident INC-N [why]` — close it as not an incident\n\
• `/incident review INC-N when` — record when the incident review is\n\
• `/incident reopen INC-N` — open a closed incident again\n\
• `/incident report INC-N` — the incident report\n\
• `/incident publish INC-N` — publish or update it on the status page\n\
• `/incident stats [7d|30d|90d]` — time to acknowledge and to resolve by priority, updates on time, escalations (default 30d)\n\
• `/incident help` — this help\n\
Incident numbers can be typed as `INC-3` or `3`. Pick people from Slack's @ autocomplete.\n\
Anyone can declare, list, show, report and add notes; the rest is for responders \
(people on the rotas and the policy's admins), the incident's declarer and its leads.";

pub const ONCALL_USAGE: &str = "*/oncall* — who is on call\n\
• `/oncall` — every rota: who covers now, until when, who is next\n\
• `/oncall ROTA` — that rota now and its next 7 shifts\n\
• `/oncall at WHEN` — every rota at that moment\n\
• `/oncall cover ROTA @person FROM to TO` — @person covers ROTA for that time\n\
• `/oncall cover me ROTA FROM to TO [note]` — ask the rest of your rota to cover you; \
the first to press *I'll cover* takes it; it lapses at FROM\n\
• `/oncall requests` — the open cover requests\n\
• `/oncall overrides [ROTA]` — list the overrides still to come\n\
• `/oncall cancel OVR-N` — remove an override (its creator, the people it swaps, or an admin)\n\
• `/oncall calendar` — calendar feed links: your own shifts, and each rota's\n\
• `/oncall calendar reset` — new links; the old ones show an empty calendar from then on\n\
• `/oncall help` — this help\n\
WHEN, FROM and TO: `18:00` (the next one), `today 18:00`, `tomorrow 09:00`, \
`mon 09:00` (the next Monday), `2026-12-24 18:00` or `now`, in the team's time zone.\n\
Responders set overrides (on the escalation rota, its own members and the admins), for at most 90 days; \
members of a rota ask it for cover, and take each other's requests.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_usage_lists_every_form() {
        for form in crate::command::incident::SUBCOMMANDS {
            assert!(
                INCIDENT_USAGE.contains(&format!("`/incident {form}")),
                "{form}"
            );
        }
    }

    #[test]
    fn oncall_usage_lists_every_form() {
        for form in [
            "/oncall`",
            "/oncall ROTA",
            "/oncall at",
            "/oncall cover",
            "/oncall cover me",
            "/oncall requests",
            "/oncall overrides",
            "/oncall cancel",
            "/oncall calendar`",
            "/oncall calendar reset",
            "/oncall help",
        ] {
            assert!(ONCALL_USAGE.contains(form), "{form}");
        }
    }
}
