//! The App Home tab, published whenever someone opens it, from what is in
//! memory, and the open cover requests (one indexed read on the read-only
//! pool; the tab shows without them if it fails).

use crate::bot::Context;
use crate::ids::UserId;
use crate::slack::blocks::home::home;
use crate::views::home::HomeData;
use slack_morphism::prelude::*;
use tracing::warn;

/// Publishes the viewer's Home tab as of now; Slack refusing is logged.
pub async fn opened(ctx: &Context, viewer: &SlackUserId) {
    let Ok(user) = UserId::parse(&viewer.0) else {
        return;
    };
    let (open, overrides) = (ctx.live.open(), ctx.live.overrides());
    let data = HomeData {
        viewer: &user,
        now: ctx.now(),
        open: &open,
        overrides: &overrides,
    };
    let open_requests = match crate::store::cover_requests::open(&ctx.reads, data.now).await {
        Ok(open) => open,
        Err(e) => {
            warn!(error = %e, "could not read the open cover requests for the Home tab");
            Vec::new()
        }
    };
    let view = home(&ctx.policy, &ctx.calendar, &data, &open_requests);
    if let Err(e) = ctx.web.publish_home(viewer, view).await {
        warn!(error = %e, "could not publish the Home tab");
    }
}
