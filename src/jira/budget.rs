//! `SiteBudget`: how hard the gateway may press one Jira site (or one OAuth app + user
//! budget). Bounds concurrent requests, paces the request rate, and holds every request back
//! while Jira has asked us to wait, so a 429 slows all callers instead of each finding out.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::error::JiraError;

/// Limits for one [`SiteBudget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetLimits {
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Sustained requests per second.
    pub requests_per_second: u32,
    /// Requests that may go at once after a quiet period.
    pub burst: u32,
}

impl Default for BudgetLimits {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            requests_per_second: 20,
            burst: 40,
        }
    }
}

/// The `RateLimit-Reason` of per-issue write limits: only writes to that issue must wait, so
/// such a 429 does not pause the whole site.
const PER_ISSUE_REASON: &str = "jira-per-issue-on-write";

/// Local reason given when the concurrency limit, not Jira, made the caller wait too long.
pub const LOCAL_CONCURRENCY_REASON: &str = "gateway-concurrency-limit";

/// Local reason given when the local request-rate budget made the caller wait too long.
pub const LOCAL_RATE_REASON: &str = "gateway-rate-limit";

/// Shared request budget for one site. Share it (`Arc`) between every `JiraClient` of the
/// site; with OAuth 3LO, Jira budgets per app and user, so one per user connection also fits.
pub struct SiteBudget {
    permits: Arc<Semaphore>,
    limiter: DefaultDirectRateLimiter,
    paused: Mutex<Option<Pause>>,
}

#[derive(Debug, Clone)]
struct Pause {
    until: Instant,
    reason: Option<String>,
}

/// Permission to send one request; hold it until the response has been read.
#[derive(Debug)]
pub struct BudgetPermit {
    _permit: OwnedSemaphorePermit,
    waited: Duration,
}

impl BudgetPermit {
    /// How long acquiring the permit waited.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl std::fmt::Debug for SiteBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteBudget")
            .field("available_permits", &self.permits.available_permits())
            .field("paused_for", &self.paused_for())
            .finish_non_exhaustive()
    }
}

impl SiteBudget {
    /// A budget with the given limits; zero values are raised to one.
    pub fn new(limits: BudgetLimits) -> Self {
        let rate = NonZeroU32::new(limits.requests_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.burst).unwrap_or(rate);
        Self {
            permits: Arc::new(Semaphore::new(limits.max_concurrency.max(1))),
            limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            paused: Mutex::new(None),
        }
    }

    /// Tells every request on this site to wait `retry_after` (Jira's `Retry-After`).
    ///
    /// Pauses only ever extend. A 429 whose reason is per-issue write limiting does not
    /// pause the site: the failing request waits on its own.
    pub fn pause_for(&self, retry_after: Duration, reason: Option<&str>) {
        if reason == Some(PER_ISSUE_REASON) || retry_after.is_zero() {
            return;
        }
        let until = Instant::now() + retry_after;
        let mut paused = self.paused.lock();
        if paused.as_ref().is_none_or(|p| p.until < until) {
            *paused = Some(Pause {
                until,
                reason: reason.map(str::to_owned),
            });
        }
    }

    /// How much longer the site is paused, if at all.
    pub fn paused_for(&self) -> Option<Duration> {
        self.current_pause().map(|p| p.0)
    }

    fn current_pause(&self) -> Option<(Duration, Option<String>)> {
        let mut paused = self.paused.lock();
        let now = Instant::now();
        match paused.as_ref() {
            Some(p) if p.until > now => Some((p.until - now, p.reason.clone())),
            Some(_) => {
                *paused = None;
                None
            }
            None => None,
        }
    }

    /// Waits for a pause to end, a concurrency slot and a rate token, in that order.
    ///
    /// Fails fast with [`JiraError::RateLimited`] when the wait would exceed `max_wait`: for a
    /// pause, with the remaining pause as `retry_after`.
    pub async fn acquire(&self, max_wait: Duration) -> Result<BudgetPermit, JiraError> {
        let started = Instant::now();
        let deadline = started + max_wait;
        loop {
            self.wait_out_pause(deadline).await?;

            // The semaphore is never closed, so only the deadline can end this wait.
            let Ok(Ok(permit)) =
                tokio::time::timeout_at(deadline, Arc::clone(&self.permits).acquire_owned()).await
            else {
                return Err(JiraError::RateLimited {
                    retry_after: None,
                    reason: Some(LOCAL_CONCURRENCY_REASON.to_owned()),
                });
            };

            // A 429 may have arrived while this request queued for a slot.
            if self.current_pause().is_some() {
                drop(permit);
                continue;
            }

            self.wait_for_rate_token(deadline).await?;
            return Ok(BudgetPermit {
                _permit: permit,
                waited: started.elapsed(),
            });
        }
    }

    async fn wait_out_pause(&self, deadline: Instant) -> Result<(), JiraError> {
        while let Some((remaining, reason)) = self.current_pause() {
            if Instant::now() + remaining > deadline {
                return Err(JiraError::RateLimited {
                    retry_after: Some(remaining),
                    reason,
                });
            }
            tokio::time::sleep(remaining).await;
        }
        Ok(())
    }

    async fn wait_for_rate_token(&self, deadline: Instant) -> Result<(), JiraError> {
        loop {
            let wait = match self.limiter.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => not_until.wait_time_from(self.limiter.clock().now()),
            };
            if Instant::now() + wait > deadline {
                return Err(JiraError::RateLimited {
                    retry_after: Some(wait),
                    reason: Some(LOCAL_RATE_REASON.to_owned()),
                });
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_concurrency: usize, requests_per_second: u32, burst: u32) -> BudgetLimits {
        BudgetLimits {
            max_concurrency,
            requests_per_second,
            burst,
        }
    }

    #[tokio::test]
    async fn acquire_is_immediate_when_idle() {
        let budget = SiteBudget::new(BudgetLimits::default());
        let permit = budget.acquire(Duration::ZERO).await.expect("permit");
        assert!(permit.waited() < Duration::from_millis(50));
    }

    #[tokio::test]
    async fn pause_longer_than_max_wait_fails_fast_with_retry_after() {
        let budget = SiteBudget::new(BudgetLimits::default());
        budget.pause_for(Duration::from_secs(30), Some("jira-burst-based"));
        let started = Instant::now();
        let err = budget
            .acquire(Duration::from_millis(100))
            .await
            .expect_err("must not wait 30 s");
        assert!(started.elapsed() < Duration::from_millis(50));
        let JiraError::RateLimited {
            retry_after,
            reason,
        } = err
        else {
            panic!("expected RateLimited, got {err:?}");
        };
        let retry_after = retry_after.expect("retry_after");
        assert!(retry_after > Duration::from_secs(29));
        assert_eq!(reason.as_deref(), Some("jira-burst-based"));
    }

    #[tokio::test]
    async fn short_pause_is_waited_out() {
        let budget = SiteBudget::new(BudgetLimits::default());
        budget.pause_for(Duration::from_millis(80), None);
        let permit = budget
            .acquire(Duration::from_secs(2))
            .await
            .expect("permit");
        assert!(
            permit.waited() >= Duration::from_millis(70),
            "{:?}",
            permit.waited()
        );
        assert_eq!(budget.paused_for(), None);
    }

    #[tokio::test]
    async fn pauses_only_extend() {
        let budget = SiteBudget::new(BudgetLimits::default());
        budget.pause_for(Duration::from_secs(10), None);
        budget.pause_for(Duration::from_secs(1), None);
        assert!(budget.paused_for().expect("paused") > Duration::from_secs(9));
    }

    #[tokio::test]
    async fn per_issue_write_limit_does_not_pause_the_site() {
        let budget = SiteBudget::new(BudgetLimits::default());
        budget.pause_for(Duration::from_secs(10), Some("jira-per-issue-on-write"));
        assert_eq!(budget.paused_for(), None);
    }

    #[tokio::test]
    async fn concurrency_limit_holds_back_the_next_request() {
        let budget = SiteBudget::new(limits(1, 1000, 1000));
        let first = budget.acquire(Duration::ZERO).await.expect("first");
        let err = budget
            .acquire(Duration::from_millis(30))
            .await
            .expect_err("slot is taken");
        assert!(matches!(
            &err,
            JiraError::RateLimited { reason: Some(r), .. } if r == LOCAL_CONCURRENCY_REASON
        ));
        drop(first);
        budget
            .acquire(Duration::from_millis(30))
            .await
            .expect("slot freed");
    }

    #[tokio::test]
    async fn rate_budget_spaces_requests_after_the_burst() {
        // 20 per second, burst 2: the third request waits about 50 ms.
        let budget = SiteBudget::new(limits(8, 20, 2));
        budget.acquire(Duration::ZERO).await.expect("1");
        budget.acquire(Duration::ZERO).await.expect("2");
        let err = budget
            .acquire(Duration::ZERO)
            .await
            .expect_err("3 must wait");
        assert!(matches!(
            &err,
            JiraError::RateLimited { reason: Some(r), .. } if r == LOCAL_RATE_REASON
        ));
        let third = budget.acquire(Duration::from_secs(1)).await.expect("3");
        assert!(
            third.waited() >= Duration::from_millis(20),
            "{:?}",
            third.waited()
        );
    }
}
