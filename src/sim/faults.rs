//! Fault injection: latency, 5xx errors and Jira-style rate limiting, globally or per endpoint.
//!
//! Set at start-up from flags, changed at run time through `PUT /_sim/faults`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A token-bucket budget that answers 429 when exhausted, as Jira's burst limits do.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    pub requests_per_second: u32,
    /// Bucket size; defaults to `requests_per_second`.
    #[serde(default)]
    pub burst: Option<u32>,
    /// The `Retry-After` seconds sent with each 429.
    #[serde(default = "one")]
    pub retry_after_secs: u64,
    /// `RateLimit-Reason`: `jira-burst-based`, `jira-quota-tenant-based`, `jira-per-issue-on-write`...
    #[serde(default = "burst_reason")]
    pub reason: String,
    /// One bucket per endpoint (method + path) instead of one for the whole site.
    #[serde(default)]
    pub per_endpoint: bool,
}

fn one() -> u64 {
    1
}

fn burst_reason() -> String {
    "jira-burst-based".into()
}

/// A fault for requests whose path contains `path` (and whose method is `method`, if set).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultRule {
    pub method: Option<String>,
    /// Substring of the request path, e.g. `/search/jql` or `/oauth/token`. Empty matches all.
    pub path: String,
    /// Answer with this status instead of the real answer (429 adds Jira's rate-limit headers).
    pub status: Option<u16>,
    /// `Retry-After` seconds for the status above.
    pub retry_after_secs: Option<u64>,
    /// Extra delay before answering (a long one makes a client time out).
    pub latency_ms: Option<u64>,
    /// Apply to the next N matching requests only.
    pub times: Option<u32>,
    /// Apply to this fraction of matching requests (0..=1).
    pub probability: Option<f64>,
    /// A rate limit for the matching requests only.
    pub rate_limit: Option<RateLimit>,
}

/// The whole fault configuration, as `GET/PUT /_sim/faults` shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultConfig {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    /// Fraction of requests (0..=1) answered with one of `error_statuses`.
    pub error_rate: f64,
    /// Defaults to 500 and 503.
    pub error_statuses: Vec<u16>,
    pub rate_limit: Option<RateLimit>,
    pub rules: Vec<FaultRule>,
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        let check_rate = |r: &Option<RateLimit>| match r {
            Some(r) if r.requests_per_second == 0 => {
                Err("requestsPerSecond must be at least 1".to_string())
            }
            _ => Ok(()),
        };
        check_rate(&self.rate_limit)?;
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err("errorRate must be between 0 and 1".into());
        }
        for rule in &self.rules {
            check_rate(&rule.rate_limit)?;
            if let Some(status) = rule.status {
                StatusCode::from_u16(status).map_err(|_| format!("invalid status {status}"))?;
            }
        }
        for status in &self.error_statuses {
            StatusCode::from_u16(*status).map_err(|_| format!("invalid status {status}"))?;
        }
        Ok(())
    }
}

/// What the fault layer decided for one request.
pub struct Decision {
    pub delay: Duration,
    /// Answer this instead of calling the site.
    pub answer: Option<Response>,
}

struct Limiter {
    config: RateLimit,
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    fn new(config: &RateLimit) -> Self {
        let rps = NonZeroU32::new(config.requests_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = config.burst.and_then(NonZeroU32::new).unwrap_or(rps);
        Limiter {
            config: config.clone(),
            limiter: RateLimiter::keyed(Quota::per_second(rps).allow_burst(burst)),
        }
    }

    /// `Some(429 answer)` when the bucket for `key` is empty.
    fn check(&self, key: &str) -> Option<Response> {
        match self.limiter.check_key(&key.to_string()) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let retry_after = self
                    .config
                    .retry_after_secs
                    .max(wait.as_secs_f64().ceil() as u64);
                Some(rate_limited(
                    retry_after,
                    self.config.requests_per_second,
                    &self.config.reason,
                ))
            }
        }
    }
}

struct Inner {
    config: FaultConfig,
    global: Option<Limiter>,
    /// Per-rule limiters, by rule index.
    rules: HashMap<usize, Limiter>,
    /// Remaining applications of rules with `times`.
    remaining: HashMap<usize, u32>,
    rng: fastrand::Rng,
}

/// Shared fault state of one site.
#[derive(Clone)]
pub struct Faults(Arc<Mutex<Inner>>);

impl Faults {
    pub fn new(config: FaultConfig, seed: u64) -> Self {
        let faults = Faults(Arc::new(Mutex::new(Inner {
            config: FaultConfig::default(),
            global: None,
            rules: HashMap::new(),
            remaining: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed),
        })));
        faults.set(config);
        faults
    }

    pub fn config(&self) -> FaultConfig {
        self.0.lock().config.clone()
    }

    /// Replaces the configuration and resets every budget.
    pub fn set(&self, config: FaultConfig) {
        let mut inner = self.0.lock();
        inner.global = config.rate_limit.as_ref().map(Limiter::new);
        inner.rules = config
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.rate_limit.as_ref().map(|l| (i, Limiter::new(l))))
            .collect();
        inner.remaining = config
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.times.map(|t| (i, t)))
            .collect();
        inner.config = config;
    }

    /// Decides delay and answer for a request to `path`.
    pub fn decide(&self, method: &str, path: &str) -> Decision {
        let mut inner = self.0.lock();
        let Inner {
            config,
            global,
            rules,
            remaining,
            rng,
        } = &mut *inner;
        let mut delay = Duration::from_millis(config.latency_ms);
        if config.jitter_ms > 0 {
            delay += Duration::from_millis(rng.u64(..=config.jitter_ms));
        }
        for (index, rule) in config.rules.iter().enumerate() {
            if !rule.path.is_empty() && !path.contains(&rule.path) {
                continue;
            }
            if rule
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
            {
                continue;
            }
            if let Some(left) = remaining.get_mut(&index)
                && *left == 0
            {
                continue;
            }
            if rule.probability.is_some_and(|p| rng.f64() >= p) {
                continue;
            }
            if let Some(left) = remaining.get_mut(&index) {
                *left -= 1;
            }
            if let Some(ms) = rule.latency_ms {
                delay += Duration::from_millis(ms);
            }
            if let Some(status) = rule.status {
                let answer = if status == 429 {
                    rate_limited(rule.retry_after_secs.unwrap_or(1), 0, "jira-burst-based")
                } else {
                    server_error(status, rule.retry_after_secs)
                };
                return Decision {
                    delay,
                    answer: Some(answer),
                };
            }
            if let Some(limiter) = rules.get(&index)
                && let Some(answer) = limiter.check(&format!("{method} {path}"))
            {
                return Decision {
                    delay,
                    answer: Some(answer),
                };
            }
        }
        if let Some(limiter) = global {
            let key = if limiter.config.per_endpoint {
                format!("{method} {path}")
            } else {
                String::new()
            };
            if let Some(answer) = limiter.check(&key) {
                return Decision {
                    delay,
                    answer: Some(answer),
                };
            }
        }
        if config.error_rate > 0.0 && rng.f64() < config.error_rate {
            let statuses = if config.error_statuses.is_empty() {
                vec![500, 503]
            } else {
                config.error_statuses.clone()
            };
            let status = statuses[rng.usize(..statuses.len())];
            return Decision {
                delay,
                answer: Some(server_error(status, None)),
            };
        }
        Decision {
            delay,
            answer: None,
        }
    }
}

/// Jira's 429: `Retry-After`, `X-RateLimit-*` and `RateLimit-Reason`.
pub fn rate_limited(retry_after_secs: u64, limit: u32, reason: &str) -> Response {
    let reset = chrono::Utc::now() + chrono::Duration::seconds(retry_after_secs as i64);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({"errorMessages": ["Rate limit exceeded."], "errors": {}})),
    )
        .into_response();
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set("retry-after", retry_after_secs.to_string());
    set("x-ratelimit-limit", limit.to_string());
    set("x-ratelimit-remaining", "0".into());
    set(
        "x-ratelimit-reset",
        reset.format("%Y-%m-%dT%H:%MZ").to_string(),
    );
    set("ratelimit-reason", reason.to_string());
    response
}

fn server_error(status: u16, retry_after_secs: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = status.canonical_reason().unwrap_or("Error").to_string();
    let mut response = (
        status,
        axum::Json(json!({"errorMessages": [message], "errors": {}})),
    )
        .into_response();
    if let Some(secs) = retry_after_secs
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert("retry-after", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_with_times_applies_that_many_times_then_stops() {
        let faults = Faults::new(
            FaultConfig {
                rules: vec![FaultRule {
                    path: "/search/jql".into(),
                    status: Some(429),
                    times: Some(2),
                    ..Default::default()
                }],
                ..Default::default()
            },
            1,
        );
        let statuses: Vec<Option<u16>> = (0..3)
            .map(|_| {
                faults
                    .decide("POST", "/rest/api/3/search/jql")
                    .answer
                    .map(|r| r.status().as_u16())
            })
            .collect();
        assert_eq!(statuses, vec![Some(429), Some(429), None]);
        assert!(faults.decide("GET", "/rest/api/3/myself").answer.is_none());
    }

    #[test]
    fn the_global_rate_limit_answers_429_with_jira_headers_when_the_bucket_is_empty() {
        let faults = Faults::new(
            FaultConfig {
                rate_limit: Some(RateLimit {
                    requests_per_second: 1,
                    burst: Some(2),
                    retry_after_secs: 3,
                    reason: "jira-burst-based".into(),
                    per_endpoint: false,
                }),
                ..Default::default()
            },
            1,
        );
        assert!(faults.decide("GET", "/a").answer.is_none());
        assert!(faults.decide("GET", "/b").answer.is_none());
        let answer = faults
            .decide("GET", "/c")
            .answer
            .expect("third request is limited");
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.headers()["retry-after"], "3");
        assert_eq!(answer.headers()["ratelimit-reason"], "jira-burst-based");
        assert!(answer.headers().contains_key("x-ratelimit-reset"));
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let bad = FaultConfig {
            error_rate: 2.0,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad_status = FaultConfig {
            rules: vec![FaultRule {
                status: Some(1000),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert!(bad_status.validate().is_err());
    }
}
