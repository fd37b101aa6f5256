//! What `/oncall calendar` says: the asker's feed links (SPEC §7).

use crate::feed::FeedScope;

/// One link to show: what it shows and its URL.
pub struct Link {
    pub scope: FeedScope,
    pub url: String,
}

/// The ephemeral answer listing `links`; `reset` when they replace the
/// asker's old ones.
pub fn links(links: &[Link], reset: bool) -> String {
    let mut out = if reset {
        "*New calendar feed links.* Your old links now show an empty calendar.\n".to_owned()
    } else {
        "*Your calendar feed links.* Subscribe to one by URL in your calendar application.\n"
            .to_owned()
    };
    for link in links {
        let what = match &link.scope {
            FeedScope::Person(_) => "Your shifts, on every rota".to_owned(),
            FeedScope::Rota(name) => format!("Rota `{name}`"),
        };
        out.push_str(&format!("• {what}: {}\n", link.url));
    }
    out.push_str(
        "Each feed shows the shifts from 2 days ago to 90 days ahead, overrides included, \
         in UTC with the team's time zone in each event. The links are yours: anyone \
         who has one can read it, so do not share them. ",
    );
    if !reset {
        out.push_str("Links given to you before keep working until ");
        out.push_str("`/oncall calendar reset`, which replaces them all.");
    } else {
        out.push_str("`/oncall calendar reset` replaces these too.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    #[test]
    fn names_each_link_and_says_what_a_reset_does() {
        let mine = Link {
            scope: FeedScope::Person(UserId::parse("U0ALICE").unwrap()),
            url: "https://bot.example/calendar/aa.ics".into(),
        };
        let rota = Link {
            scope: FeedScope::Rota("in-hours".into()),
            url: "https://bot.example/calendar/bb.ics".into(),
        };
        let text = links(&[mine, rota], false);
        assert!(
            text.contains("• Your shifts, on every rota: https://bot.example/calendar/aa.ics\n")
        );
        assert!(text.contains("• Rota `in-hours`: https://bot.example/calendar/bb.ics\n"));
        assert!(text.contains("keep working until `/oncall calendar reset`"));
        let text = links(&[], true);
        assert!(text
            .starts_with("*New calendar feed links.* Your old links now show an empty calendar."));
    }
}
