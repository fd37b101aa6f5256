//! The floor for the benchmark: the smallest Socket Mode bot slack-morphism
//! makes, which acks every `/oncall` with a fixed ephemeral answer. No
//! storage, no rules, no metrics, no health server, one socket.
//!
//!     SLACK_API_URL=http://127.0.0.1:PORT/api SLACK_APP_TOKEN=xapp-… \
//!         cargo run --release --example bare_bot
//!
//! `BENCH_ONLY=floor` in the `bench` example runs it beside the real bot.
//! It is built as slack-morphism's documentation shows (its listener, the
//! default multi-threaded runtime, a hyper connector with the operating
//! system's roots), with two differences that let it run against the
//! emulator as the real bot does: the connector also speaks plain `http://`
//! (slack-morphism's own is https-only), and it keeps one socket rather than
//! the default two.

use slack_morphism::prelude::*;
use std::sync::Arc;

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = if event.command.0 == "/oncall" {
        "On call now: in hours <@U0ALICE>, out of hours <@U0BOB>."
    } else {
        "I only answer `/oncall`."
    };
    Ok(
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(text.into()))
            .with_response_type(SlackMessageResponseType::Ephemeral),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let api_url = std::env::var("SLACK_API_URL").unwrap_or_else(|_| "https://slack.com/api".into());
    let app_token = std::env::var("SLACK_APP_TOKEN").map_err(|_| "SLACK_APP_TOKEN is not set")?;
    // rustls needs one process-wide crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::from(https).with_slack_api_url(&api_url);
    let client = Arc::new(SlackClient::new(connector));
    let callbacks = SlackSocketModeListenerCallbacks::new().with_command_events(on_command);
    let environment = Arc::new(SlackClientEventsListenerEnvironment::new(client));
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new().with_max_connections_count(1),
        environment,
        callbacks,
    );
    let token = SlackApiToken::new(SlackApiTokenValue::new(app_token));
    listener.listen_for(&token).await?;
    // Runs until SIGTERM or SIGINT.
    listener.serve().await;
    Ok(())
}
