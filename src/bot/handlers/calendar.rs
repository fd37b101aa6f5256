//! `/oncall calendar` and `/oncall calendar reset`: calendar feed links for
//! the asker (SPEC §7), their own shifts and one per rota. Tokens are made
//! here, stored only as digests, and shown once, in the ephemeral answer;
//! nothing here logs them.

use crate::bot::{Answering, Context};
use crate::feed::{FeedScope, FeedToken};
use crate::ids::UserId;
use crate::store::feeds;
use crate::views::feeds::{self as view, Link};

/// New links for `asker`, committed before they are shown; with `reset`,
/// every link the asker had before is revoked in the same transaction.
pub async fn links(
    ctx: &Context,
    answering: &Answering,
    asker: &UserId,
    reset: bool,
) -> anyhow::Result<String> {
    let mut scopes = vec![FeedScope::Person(asker.clone())];
    scopes.extend(
        ctx.policy
            .rotas
            .iter()
            .map(|r| FeedScope::Rota(r.name.clone())),
    );
    let mut issued = Vec::with_capacity(scopes.len());
    for scope in scopes {
        issued.push((FeedToken::generate()?, scope));
    }
    let now = ctx.now();
    let mut tx = ctx.write(answering).await?;
    if reset {
        feeds::revoke_all(&mut tx, asker, now).await?;
    }
    let stored: Vec<_> = issued
        .iter()
        .map(|(token, scope)| (token.hash(), scope.clone()))
        .collect();
    feeds::issue(&mut tx, asker, &stored, now).await?;
    tx.commit().await?;
    let shown: Vec<Link> = issued
        .into_iter()
        .map(|(token, scope)| Link {
            url: format!("{}/calendar/{}.ics", ctx.feed_base, token.reveal()),
            scope,
        })
        .collect();
    Ok(view::links(&shown, reset))
}
