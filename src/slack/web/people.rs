//! Who the bot is and who a person is: `auth.test` (the workspace, and
//! enterprise, the bot token belongs to) and `users.info` (whether an ID
//! is a real, active, human member).

use super::{SlackWeb, WebError};
use serde::Deserialize;
use slack_morphism::prelude::*;

/// What `auth.test` says about the bot token: the installing workspace,
/// its enterprise (Enterprise Grid only) and the bot's own user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Identity {
    pub team_id: String,
    /// Present only for a workspace in an Enterprise Grid org.
    #[serde(default)]
    pub enterprise_id: Option<String>,
    pub user_id: String,
}

/// A person as `users.info` describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub team_id: Option<String>,
    pub deleted: bool,
    /// A bot user, including an app's (`is_app_user`).
    pub bot: bool,
}

impl SlackWeb {
    /// `auth.test`. Its typed response in slack-morphism has no
    /// `enterprise_id`, so it is read through the generic POST.
    pub async fn identity(&self) -> Result<Identity, WebError> {
        #[derive(serde::Serialize, Clone)]
        struct Req {}
        self.call("auth.test", None, |c, t| async move {
            c.open_session(&t)
                .http_session_api
                .http_post::<_, Identity>("auth.test", &Req {}, None)
                .await
        })
        .await
    }

    /// `users.info`: `Ok(None)` when Slack knows no such user
    /// (`user_not_found`).
    pub async fn member(&self, user: &str) -> Result<Option<Member>, WebError> {
        let req = SlackApiUsersInfoRequest::new(SlackUserId(user.to_owned()));
        let found = self
            .call("users.info", None, |c, t| {
                let req = req.clone();
                async move { c.open_session(&t).users_info(&req).await }
            })
            .await;
        match found {
            Ok(r) => Ok(Some(Member {
                team_id: r.user.team_id.map(|t| t.0),
                deleted: r.user.deleted.unwrap_or(false),
                bot: r.user.flags.is_bot.unwrap_or(false)
                    || r.user.flags.is_app_user.unwrap_or(false),
            })),
            Err(e) if matches!(e.code(), Some("user_not_found" | "users_not_found")) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
