//! The workspace, enterprise and app the bot is installed for, and the
//! check that an envelope comes from them (SPEC §2.7).
//!
//! Learnt from Slack, never configured: `auth.test` with the bot token
//! gives the workspace (`team_id`), its Enterprise Grid org
//! (`enterprise_id`, absent outside Grid) and the bot's own user; the
//! Socket Mode `hello` gives the app (`connection_info.app_id`). The
//! socket asks `auth.test` before it opens a connection, so no envelope is
//! read before the workspace is known.

use super::envelope::Origin;
use super::web::{SlackWeb, WebError};
use std::sync::OnceLock;
use tracing::info;

/// What the bot knows about where it is installed; shared by the socket
/// (which learns it) and the dispatcher (which checks against it).
#[derive(Debug, Default)]
pub struct Installation {
    home: OnceLock<Home>,
    app_id: OnceLock<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Home {
    team_id: String,
    enterprise_id: Option<String>,
    bot_user: String,
}

/// Why an envelope was refused, for the log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Foreign {
    #[error("the installation is not known yet")]
    NotYetKnown,
    #[error("team {got:?} is not the installing team {want}")]
    Team { got: Option<String>, want: String },
    #[error("enterprise {got:?} is not the installing enterprise {want:?}")]
    Enterprise {
        got: Option<String>,
        want: Option<String>,
    },
    #[error("app {got:?} is not this app {want}")]
    App { got: Option<String>, want: String },
}

impl Installation {
    /// Asks `auth.test` once; later calls return at once.
    pub async fn learn(&self, web: &SlackWeb) -> Result<(), WebError> {
        if self.home.get().is_some() {
            return Ok(());
        }
        let me = web.identity().await?;
        info!(
            team_id = me.team_id,
            enterprise_id = me.enterprise_id.as_deref().unwrap_or(""),
            bot_user = me.user_id,
            "installed in this workspace"
        );
        let _ = self.home.set(Home {
            team_id: me.team_id,
            enterprise_id: me.enterprise_id.filter(|e| !e.is_empty()),
            bot_user: me.user_id,
        });
        Ok(())
    }

    /// The app id from a Socket Mode `hello`: the first one is kept, as
    /// an app token only ever connects its own app.
    pub fn connected_as(&self, app_id: &str) {
        if !app_id.is_empty() {
            let _ = self.app_id.set(app_id.to_owned());
        }
    }

    /// The installing workspace's ID, once known.
    pub fn team_id(&self) -> Option<&str> {
        self.home.get().map(|h| h.team_id.as_str())
    }

    /// The bot's own user ID, once known.
    pub fn bot_user(&self) -> Option<&str> {
        self.home.get().map(|h| h.bot_user.as_str())
    }

    /// `Ok` for an envelope from the installing workspace, enterprise and
    /// app. Fails closed: before the workspace is known nothing is taken.
    pub fn admits(&self, origin: &Origin) -> Result<(), Foreign> {
        let home = self.home.get().ok_or(Foreign::NotYetKnown)?;
        if origin.team_id.as_deref() != Some(home.team_id.as_str()) {
            return Err(Foreign::Team {
                got: origin.team_id.clone(),
                want: home.team_id.clone(),
            });
        }
        // Outside Grid there is no enterprise, and none may be claimed.
        if origin.enterprise_id.is_some() && origin.enterprise_id != home.enterprise_id {
            return Err(Foreign::Enterprise {
                got: origin.enterprise_id.clone(),
                want: home.enterprise_id.clone(),
            });
        }
        if let Some(want) = self.app_id.get() {
            if origin.api_app_id.as_deref() != Some(want.as_str()) {
                return Err(Foreign::App {
                    got: origin.api_app_id.clone(),
                    want: want.clone(),
                });
            }
        }
        Ok(())
    }

    #[cfg(test)]
    fn known(team_id: &str, enterprise_id: Option<&str>, app_id: &str) -> Installation {
        let installation = Installation::default();
        let _ = installation.home.set(Home {
            team_id: team_id.to_owned(),
            enterprise_id: enterprise_id.map(str::to_owned),
            bot_user: "U0BOT".to_owned(),
        });
        installation.connected_as(app_id);
        installation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(team: Option<&str>, enterprise: Option<&str>, app: Option<&str>) -> Origin {
        Origin {
            team_id: team.map(str::to_owned),
            enterprise_id: enterprise.map(str::to_owned),
            api_app_id: app.map(str::to_owned),
        }
    }

    #[test]
    fn only_the_installing_team_enterprise_and_app_are_admitted() {
        let home = Installation::known("T1", None, "A1");
        assert_eq!(home.admits(&origin(Some("T1"), None, Some("A1"))), Ok(()));
        assert!(home.admits(&origin(Some("T2"), None, Some("A1"))).is_err());
        assert!(home.admits(&origin(None, None, Some("A1"))).is_err());
        assert!(home
            .admits(&origin(Some("T1"), Some("E1"), Some("A1")))
            .is_err());
        assert!(home.admits(&origin(Some("T1"), None, Some("A2"))).is_err());
        assert!(home.admits(&origin(Some("T1"), None, None)).is_err());
        let grid = Installation::known("T1", Some("E1"), "A1");
        assert_eq!(
            grid.admits(&origin(Some("T1"), Some("E1"), Some("A1"))),
            Ok(())
        );
        assert!(grid
            .admits(&origin(Some("T1"), Some("E2"), Some("A1")))
            .is_err());
    }

    #[test]
    fn nothing_is_admitted_before_the_workspace_is_known() {
        let unknown = Installation::default();
        assert_eq!(
            unknown.admits(&origin(Some("T1"), None, Some("A1"))),
            Err(Foreign::NotYetKnown)
        );
    }
}
