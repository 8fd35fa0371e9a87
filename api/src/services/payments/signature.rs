//! Stripe webhook signatures, checked exactly as Stripe documents them: the
//! `Stripe-Signature` header holds a timestamp `t=` and one or more `v1=` signatures (and
//! possibly others, such as `v0=`, which are ignored); each `v1` is the hex HMAC-SHA256,
//! under the endpoint's signing secret, of `"{t}.{raw body}"`. The event is genuine when
//! any `v1` matches (Stripe sends two while a secret is being rolled), compared in constant
//! time, and its timestamp is within the tolerance of now (300 s by default: older or
//! newer events are refused, so a captured request cannot be replayed later).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far an event's timestamp may be from now, in seconds (DESIGN "Limits").
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a webhook was refused. Nothing here echoes the secret or the expected signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Stripe-Signature` header, or one without `t=` or without any `v1=`.
    Malformed,
    /// The timestamp is further than the tolerance from now.
    Stale,
    /// No `v1` signature matches the body under the secret.
    Mismatch,
}

/// Checks `header` (the `Stripe-Signature` value) against the raw `body` under `secret`
/// at `now` (Unix seconds); answers the event's timestamp when genuine.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    let signed = signed_mac(secret, timestamp, body);
    let matches = signatures.iter().any(|candidate| {
        shared::hex::decode(candidate).is_some_and(|bytes| signed.clone().verify_slice(&bytes).is_ok())
    });
    if matches {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The MAC of `"{timestamp}.{body}"` under `secret`, before finalising.
fn signed_mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Stripe-Signature` header Stripe would send for `body` at `timestamp` (the fake
/// Stripe server of the tests, and the benchmark, sign their events with it).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = signed_mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", shared::hex::encode(&digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: i64 = 1_796_000_000;

    #[test]
    fn a_signature_made_as_stripe_makes_it_verifies() {
        let header = sign(SECRET, NOW - 10, BODY);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Ok(NOW - 10)
        );
    }

    #[test]
    fn the_signed_payload_is_the_timestamp_a_dot_and_the_raw_body() {
        // Computed independently:
        // printf '1796000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test_secret
        let header = sign(SECRET, NOW, br#"{"a":1}"#);
        assert_eq!(
            header,
            "t=1796000000,v1=3b112c9ca2d540587c860f4e3737870865fa87c0052c8c565ef0ec2ea9ca44f1"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let good = sign(SECRET, NOW, BODY);
        let other_secret = sign("whsec_other", NOW, BODY);
        assert_eq!(
            verify(None, BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("v1=abc"), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some(&format!("t={NOW}")), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some(&other_secret), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Mismatch),
            "a wrong secret"
        );
        assert_eq!(
            verify(Some(&good), br#"{"id":"evt_2"}"#, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Mismatch),
            "a changed body"
        );
        let stale = sign(SECRET, NOW - 301, BODY);
        assert_eq!(
            verify(Some(&stale), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Stale)
        );
        let future = sign(SECRET, NOW + 301, BODY);
        assert_eq!(
            verify(Some(&future), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Stale)
        );
        let edge = sign(SECRET, NOW - 300, BODY);
        assert!(
            verify(Some(&edge), BODY, SECRET, NOW, TOLERANCE_SECONDS).is_ok(),
            "300 s is within"
        );
    }

    #[test]
    fn any_matching_v1_is_enough_and_other_schemes_are_ignored() {
        let good = sign(SECRET, NOW, BODY);
        let good_v1 = good.split_once("v1=").map(|(_, h)| h).unwrap_or_default();
        let wrong_v1 = "00".repeat(32);
        let two = format!("t={NOW},v1={wrong_v1},v1={good_v1},v0={wrong_v1}");
        assert_eq!(verify(Some(&two), BODY, SECRET, NOW, TOLERANCE_SECONDS), Ok(NOW));
        let only_v0 = format!("t={NOW},v0={good_v1}");
        assert_eq!(
            verify(Some(&only_v0), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Malformed),
            "v0 is not a signature we accept"
        );
        let not_hex = format!("t={NOW},v1=zz{}", &good_v1[2..]);
        assert_eq!(
            verify(Some(&not_hex), BODY, SECRET, NOW, TOLERANCE_SECONDS),
            Err(SignatureError::Mismatch)
        );
    }
}
