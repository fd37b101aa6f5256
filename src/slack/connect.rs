//! Builds the slack-morphism client for a Web API base URL, plain `http://`
//! included (local emulators), over HTTP/1.1 as well as HTTP/2.

use slack_morphism::prelude::*;
use std::sync::Arc;

/// A client for `api_url` (e.g. `https://slack.com/api`, GovSlack's
/// `https://slack-gov.com/api`, or `http://127.0.0.1:PORT/api`).
pub fn client(api_url: &str) -> anyhow::Result<Arc<SlackHyperClient>> {
    // rustls needs one process-wide crypto provider; a second install is a no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::from(https).with_slack_api_url(api_url);
    Ok(Arc::new(SlackClient::new(connector)))
}

/// Wraps a raw token for slack-morphism.
pub fn token(raw: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue::new(raw.to_owned()))
}
