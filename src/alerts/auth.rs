//! Who may send alerts (SPEC §6): a bearer token compared in constant
//! time, and for Grafana optionally an HMAC-SHA256 signature of the body.
//! The token and secret never reach a log line: they are only compared.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// True when `authorization` (the header's value) is `Bearer <expected>`.
/// The scheme is case-insensitive (RFC 9110 §11.1); the comparison of the
/// token takes the same time wherever it first differs.
pub fn bearer_ok(authorization: Option<&[u8]>, expected: &str) -> bool {
    let Some(value) = authorization else {
        return false;
    };
    if value.len() < 7 || !value[..7].eq_ignore_ascii_case(b"bearer ") {
        return false;
    }
    let given = value[7..].trim_ascii();
    // `ct_eq` on slices of different lengths is false without comparing
    // contents; the token's length is not a secret worth hiding.
    !expected.is_empty() && bool::from(given.ct_eq(expected.as_bytes()))
}

/// True when `signature` is the hex HMAC-SHA256 of `body` under `secret`
/// (Grafana's `X-Grafana-Alerting-Signature`); compared in constant time.
pub fn signature_ok(signature: Option<&[u8]>, secret: &str, body: &[u8]) -> bool {
    let Some(given) = signature.and_then(|s| hex::decode(s.trim_ascii()).ok()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// The signature Grafana would send for `body` (tests, the playground).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_as_a_bearer_passes() {
        assert!(bearer_ok(Some(b"Bearer s3cret"), "s3cret"));
        assert!(bearer_ok(Some(b"bearer s3cret"), "s3cret"));
        for bad in [
            &b"Bearer s3cre"[..],
            b"Bearer s3cret2",
            b"Basic s3cret",
            b"s3cret",
            b"Bearer ",
            b"",
        ] {
            assert!(!bearer_ok(Some(bad), "s3cret"), "{bad:?}");
        }
        assert!(!bearer_ok(None, "s3cret"));
        assert!(!bearer_ok(Some(b"Bearer "), ""));
    }

    #[test]
    fn a_signature_must_be_the_bodys_hmac_under_the_secret() {
        let body = br#"{"status":"firing"}"#;
        let good = sign("k", body);
        assert_eq!(good.len(), 64);
        assert!(signature_ok(Some(good.as_bytes()), "k", body));
        assert!(signature_ok(
            Some(good.to_uppercase().as_bytes()),
            "k",
            body
        ));
        assert!(!signature_ok(Some(good.as_bytes()), "other", body));
        assert!(!signature_ok(Some(good.as_bytes()), "k", b"{}"));
        assert!(!signature_ok(Some(b"zz"), "k", body));
        assert!(!signature_ok(None, "k", body));
    }
}
