//! The Socket Mode loop hands each envelope here: one line per kind of
//! envelope to its handler. An envelope from another workspace, enterprise
//! or app is refused and logged (SPEC §2.7). A redelivery of an envelope
//! in hand, or already handled, is acked and nothing more.

use super::handlers::{command, events, press, submission};
use super::reply::Reply;
use super::{Answering, Context};
use crate::refusal::Refusal;
use crate::slack::{Envelope, EnvelopeHandler, Inbound};
use crate::store::events as handled;
use serde_json::Value;
use slack_morphism::prelude::*;
use std::sync::Arc;
use tracing::{info, warn};

/// Routes envelopes to handlers over the shared context.
pub struct Dispatch(pub Arc<Context>);

#[async_trait::async_trait]
impl EnvelopeHandler for Dispatch {
    async fn handle(&self, envelope: Envelope) -> Option<Value> {
        let ctx = &self.0;
        let id = envelope.id.clone();
        if let Err(why) = ctx.installation.admits(&envelope.origin) {
            let origin = &envelope.origin;
            warn!(
                reason = %why,
                team_id = origin.team_id.as_deref().unwrap_or(""),
                enterprise_id = origin.enterprise_id.as_deref().unwrap_or(""),
                api_app_id = origin.api_app_id.as_deref().unwrap_or(""),
                "refused an envelope from outside the installation"
            );
            // A person who ran a command is told; presses and events are
            // acked bare, changing nothing.
            return match envelope.inbound {
                Inbound::Command(_) => Reply::from(Refusal::NotThisWorkspace).into_payload(),
                _ => None,
            };
        }
        let Some(held) = ctx.envelopes.begin(&id) else {
            info!("envelope redelivered while still being handled; acking only");
            return None;
        };
        // Only a redelivery can have been handled before: first deliveries
        // skip the lookup, keeping it off the usual ack path.
        if envelope.retry_attempt > 0 && handled::seen(&ctx.reads, &id).await.unwrap_or(false) {
            info!("envelope redelivered after it was handled; acking only");
            return None;
        }
        let answering = Answering::envelope_id(id.clone());
        let answer = route(ctx, &answering, envelope.inbound).await;
        let recorder = ctx.clone();
        ctx.work.spawn(async move {
            let now = recorder.now();
            if let Err(e) = handled::first_delivery(&recorder.db, &id, now).await {
                warn!(
                    error = format!("{e:#}"),
                    "could not record a handled envelope"
                );
            }
            drop(held);
        });
        answer
    }
}

async fn route(ctx: &Arc<Context>, answering: &Answering, inbound: Inbound) -> Option<Value> {
    match inbound {
        Inbound::Command(event) => command::slash(ctx, answering, *event).await.into_payload(),
        Inbound::Interaction(event) => match *event {
            SlackInteractionEvent::ViewSubmission(submitted) => {
                submission::submitted(ctx, answering, &submitted)
                    .await
                    .map(|response| {
                        serde_json::to_value(response).expect("a response always serialises")
                    })
            }
            SlackInteractionEvent::BlockActions(pressed) => {
                press::pressed(ctx, answering, &pressed).await;
                None
            }
            _ => None,
        },
        // Events are acked bare; their work runs after the ack.
        Inbound::Event(callback) => {
            events::received(ctx, *callback);
            None
        }
    }
}
