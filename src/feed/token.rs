//! Feed tokens: the secret part of a feed's link (`/calendar/TOKEN.ics`).
//! 256 random bits from the operating system, written as 64 hex digits.
//! Only their SHA-256 digest is stored, so the database alone cannot
//! rebuild a link, and a token is looked up by its digest.

use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt::{self, Write};

const BYTES: usize = 32;

/// A feed token. `Debug` hides it; only [`FeedToken::reveal`] shows it, for
/// the one place that builds the link.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

/// The stored form of a token: SHA-256 of its text, as hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(pub String);

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl FeedToken {
    /// A new random token; an error only if the system has no randomness.
    pub fn generate() -> anyhow::Result<FeedToken> {
        let mut bytes = [0u8; BYTES];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| anyhow::anyhow!("the system gave no random bytes for a feed token"))?;
        Ok(FeedToken(hex(&bytes)))
    }

    /// The token from a request path's file name (`TOKEN.ics`); None unless
    /// it has the shape of one (so nothing else is looked up).
    pub fn from_file_name(file: &str) -> Option<FeedToken> {
        let token = file.strip_suffix(".ics")?;
        let shaped = token.len() == BYTES * 2
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        shaped.then(|| FeedToken(token.to_owned()))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(hex(digest(&SHA256, self.0.as_bytes()).as_ref()))
    }

    /// The token itself, to put in a link shown to its owner.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_hashed() {
        let (a, b) = (
            FeedToken::generate().unwrap(),
            FeedToken::generate().unwrap(),
        );
        assert_ne!(a, b);
        assert_eq!(a.reveal().len(), 64);
        assert_eq!(a.hash().0.len(), 64);
        assert_ne!(a.hash().0, a.reveal());
        assert_eq!(a.hash(), a.clone().hash());
        assert_eq!(format!("{a:?}"), "FeedToken(***)");
    }

    #[test]
    fn only_token_shaped_file_names_are_read() {
        let t = FeedToken::generate().unwrap();
        let file = format!("{}.ics", t.reveal());
        assert_eq!(FeedToken::from_file_name(&file), Some(t.clone()));
        assert_eq!(FeedToken::from_file_name(t.reveal()), None);
        assert_eq!(FeedToken::from_file_name("abc.ics"), None);
        let upper = format!("{}.ics", t.reveal().to_uppercase());
        assert_eq!(FeedToken::from_file_name(&upper), None);
    }
}
