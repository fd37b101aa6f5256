//! The App Home tab, published whenever someone opens it, and its
//! "Declare an incident" button.

use super::Bot;
use crate::ids::UserId;
use crate::slack::blocks::home::home;
use crate::slack::blocks::modal;
use crate::store::{incidents, overrides};
use crate::views::home::HomeData;
use slack_morphism::prelude::*;
use tracing::warn;

impl Bot {
    /// Publishes the viewer's Home tab as of now. A storage error is
    /// returned (the event is tried again); Slack refusing is only logged.
    pub(super) async fn publish_home(&self, viewer: &SlackUserId) -> anyhow::Result<()> {
        let Ok(user) = UserId::parse(&viewer.0) else {
            return Ok(());
        };
        let open = incidents::open(&self.reads).await?;
        let live = overrides::live(&self.reads).await?;
        let data = HomeData {
            viewer: &user,
            now: self.clock.now(),
            open: &open,
            overrides: &live,
        };
        let view = home(&self.policy, &self.calendar, &data);
        if let Err(e) = self.web.publish_home(viewer, view).await {
            warn!(error = %e, "could not publish the Home tab");
        }
        Ok(())
    }

    /// The Home tab's button: the same declare modal `/incident declare`
    /// opens, on the press's trigger (good for 3 s, so nothing comes first).
    pub(super) async fn declare_from_home(&self, trigger: &SlackTriggerId, user: &SlackUserId) {
        let channel = self.policy.incident_channel.to_string();
        let view = modal::declare(&self.policy, "", user, &channel);
        if let Err(e) = self.web.open_view(trigger, view).await {
            warn!(error = %e, "could not open the declare modal from Home");
        }
    }
}
