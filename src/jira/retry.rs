//! Retry policy: reading `Retry-After` and `RateLimit-Reason`, and Atlassian's backoff
//! (JIRA-FACTS §2). Pure functions; the client decides when to call them.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName};

/// Longest `Retry-After` taken at face value; longer values are clamped (quota windows are an
/// hour at most), which keeps `Instant` arithmetic safe against absurd headers.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Jitter range Atlassian recommends for computed delays.
const JITTER: (f64, f64) = (0.7, 1.3);

/// Reads `Retry-After` (seconds, or an HTTP date), falling back to `Beta-Retry-After`.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    ["retry-after", "beta-retry-after"]
        .into_iter()
        .find_map(|name| header_text(headers, name).and_then(parse_retry_after))
}

/// Reads `RateLimit-Reason` (or its `X-` / beta variants), kept short and printable.
pub(crate) fn rate_limit_reason(headers: &HeaderMap) -> Option<String> {
    [
        "ratelimit-reason",
        "x-ratelimit-reason",
        "x-beta-ratelimit-reason",
    ]
    .into_iter()
    .find_map(|name| header_text(headers, name))
    .map(|reason| {
        reason
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect::<String>()
    })
    .filter(|reason| !reason.is_empty())
}

fn header_text<'a>(headers: &'a HeaderMap, name: &'static str) -> Option<&'a str> {
    headers
        .get(HeaderName::from_static(name))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(
                secs.min(MAX_RETRY_AFTER.as_secs_f64()),
            ));
        }
        return None;
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

/// Delay before retry number `retry` (0 for the first retry).
///
/// With `Retry-After`, that value is a floor: re-trying earlier only earns another 429, so the
/// jitter may lengthen it (to spread the herd) but never shorten it. Without it, the delay is
/// `base · 2^retry`, jittered ×[0.7, 1.3] and capped at `max`.
pub(crate) fn delay(
    base: Duration,
    max: Duration,
    retry: u32,
    retry_after: Option<Duration>,
) -> Duration {
    delay_with_jitter(base, max, retry, retry_after, fastrand::f64())
}

/// [`delay`] with the random draw `unit` ∈ [0, 1) given, for tests.
pub(crate) fn delay_with_jitter(
    base: Duration,
    max: Duration,
    retry: u32,
    retry_after: Option<Duration>,
    unit: f64,
) -> Duration {
    let unit = unit.clamp(0.0, 1.0);
    match retry_after {
        Some(floor) => scale(floor, 1.0 + (JITTER.1 - 1.0) * unit),
        None => {
            let doubled = base.saturating_mul(2u32.saturating_pow(retry.min(16)));
            let factor = JITTER.0 + (JITTER.1 - JITTER.0) * unit;
            scale(doubled.min(max), factor).min(max)
        }
    }
}

/// `d · factor` without `Duration::mul_f64`'s panic on overflow.
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn assert_close(actual: Duration, expected: Duration) {
        let diff = actual.abs_diff(expected);
        assert!(
            diff < Duration::from_micros(1),
            "{actual:?} != {expected:?}"
        );
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).expect("valid header"),
            );
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_fractions_and_http_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "5")])),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", " 1.5 ")])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "0")])),
            Some(Duration::ZERO)
        );
        let past = retry_after(&headers(&[(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        )]));
        assert_eq!(past, Some(Duration::ZERO));
        let future = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let wait = retry_after(&headers(&[("retry-after", &future)])).expect("date");
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
    }

    #[test]
    fn retry_after_ignores_garbage_and_clamps_huge_values() {
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "99999999999")])),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn beta_retry_after_is_a_fallback_only() {
        assert_eq!(
            retry_after(&headers(&[("beta-retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2"), ("beta-retry-after", "7")])),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn rate_limit_reason_is_read_and_sanitised() {
        assert_eq!(
            rate_limit_reason(&headers(&[("ratelimit-reason", "jira-burst-based")])).as_deref(),
            Some("jira-burst-based")
        );
        assert_eq!(
            rate_limit_reason(&headers(&[(
                "x-beta-ratelimit-reason",
                "jira-quota-tenant-based"
            )]))
            .as_deref(),
            Some("jira-quota-tenant-based")
        );
        let long = "a".repeat(500);
        assert_eq!(
            rate_limit_reason(&headers(&[("ratelimit-reason", &long)])).map(|r| r.len()),
            Some(64)
        );
    }

    #[test]
    fn computed_delay_doubles_from_base_and_stays_under_the_cap() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(30);
        // unit 0.5 → factor 1.0.
        assert_close(
            delay_with_jitter(base, max, 0, None, 0.5),
            Duration::from_secs(5),
        );
        assert_close(
            delay_with_jitter(base, max, 1, None, 0.5),
            Duration::from_secs(10),
        );
        assert_close(
            delay_with_jitter(base, max, 2, None, 0.5),
            Duration::from_secs(20),
        );
        assert_close(
            delay_with_jitter(base, max, 3, None, 0.5),
            Duration::from_secs(30),
        );
        assert_close(
            delay_with_jitter(base, max, 40, None, 0.5),
            Duration::from_secs(30),
        );
        assert_close(
            delay_with_jitter(base, max, 0, None, 0.0),
            Duration::from_millis(3500),
        );
        assert_close(
            delay_with_jitter(base, max, 0, None, 1.0),
            Duration::from_millis(6500),
        );
        assert_close(delay_with_jitter(base, max, 3, None, 1.0), max);
    }

    #[test]
    fn jitter_never_shortens_retry_after() {
        let ra = Some(Duration::from_secs(10));
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(30);
        assert_close(
            delay_with_jitter(base, max, 0, ra, 0.0),
            Duration::from_secs(10),
        );
        assert_close(
            delay_with_jitter(base, max, 0, ra, 1.0),
            Duration::from_secs(13),
        );
        // Retry-After is not capped by max_retry_delay: waiting less would only fail again.
        let long = Some(Duration::from_secs(120));
        assert!(delay_with_jitter(base, max, 0, long, 0.3) >= Duration::from_secs(120));
        for _ in 0..100 {
            assert!(delay(base, max, 0, ra) >= Duration::from_secs(10));
        }
    }
}
