//! `SiteBudget`: how hard the gateway may press one Jira site (or one OAuth app + user
//! budget). Bounds concurrent requests, paces the request rate, and holds every request back
//! while Jira has asked us to wait, so a 429 slows all callers instead of each finding out.
//!
//! Waiting is first come, first served: a request that must wait for the rate books the next
//! free send time (a GCRA with reservations) and sleeps until it, and the concurrency slots
//! are a FIFO semaphore. Earlier, every waiter slept until the same next token and raced for
//! it, so under a steady overload an unlucky request could lose that race until its
//! `max_wait` ran out while the median wait was short (BENCHMARKS.md, "Shipped Jira budget").

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

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
    pacer: Pacer,
    paused: Mutex<Option<Pause>>,
}

/// The request-rate budget: a generic cell rate algorithm (GCRA) whose waiters book their send
/// time in order. governor's limiters can only say when the next token is free, so waiters
/// who all sleep until then race for it; booking makes the order of arrival the order of
/// sending.
struct Pacer {
    /// Time between two requests at the sustained rate.
    interval: Duration,
    /// How far ahead of the sustained rate a burst may run: `interval × (burst − 1)`.
    tolerance: Duration,
    /// The theoretical arrival time of the next request: when it could be sent if the budget
    /// had no burst allowance. Every admitted or booked request moves it on by `interval`.
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(requests_per_second: u32, burst: u32) -> Self {
        let interval = Duration::from_secs(1) / requests_per_second.max(1);
        Self {
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Books the earliest send time the budget allows, unless it lies after `deadline`, in
    /// which case nothing is booked and the wait it would have taken is returned.
    fn book(&self, deadline: Instant) -> Result<Instant, Duration> {
        let now = Instant::now();
        let mut next = self.next.lock();
        let arrival = (*next).max(now);
        let send_at = arrival.checked_sub(self.tolerance).unwrap_or(now).max(now);
        // Sending now is always allowed, however little the caller may wait.
        if send_at > now.max(deadline) {
            return Err(send_at - now);
        }
        *next = arrival + self.interval;
        Ok(send_at)
    }
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
            pacer: Pacer::new(rate.get(), burst.get()),
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

    /// Waits for a pause to end, a send time within the rate, and a concurrency slot, in that
    /// order and first come, first served. The rate comes before the slot so that a request
    /// waiting for its send time does not hold a slot another could use.
    ///
    /// Fails fast with [`JiraError::RateLimited`] when the wait would exceed `max_wait`: for a
    /// pause, with the remaining pause as `retry_after`; for the rate, when the requests booked
    /// ahead already reach past `max_wait`, with the wait it would take.
    pub async fn acquire(&self, max_wait: Duration) -> Result<BudgetPermit, JiraError> {
        let started = Instant::now();
        let deadline = started + max_wait;
        loop {
            self.wait_out_pause(deadline).await?;

            let send_at = self
                .pacer
                .book(deadline)
                .map_err(|wait| JiraError::RateLimited {
                    retry_after: Some(wait),
                    reason: Some(LOCAL_RATE_REASON.to_owned()),
                })?;
            if send_at > Instant::now() {
                tokio::time::sleep_until(send_at).await;
            }

            // The semaphore is never closed, so only the deadline can end this wait.
            let Ok(Ok(permit)) =
                tokio::time::timeout_at(deadline, Arc::clone(&self.permits).acquire_owned()).await
            else {
                return Err(JiraError::RateLimited {
                    retry_after: None,
                    reason: Some(LOCAL_CONCURRENCY_REASON.to_owned()),
                });
            };

            // A 429 may have arrived while this request waited.
            if self.current_pause().is_some() {
                drop(permit);
                continue;
            }

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

    /// Requests queued behind the rate are sent in the order they asked, each one interval
    /// after the one before, none starved; one that cannot be served within its wait fails at
    /// once. (Real time: tokio's paused clock needs its `test-util` feature, which would make
    /// `cargo test` build tokio and everything above it a second time.)
    #[tokio::test]
    async fn waiters_are_served_in_arrival_order() {
        // 20 per second with no burst beyond one, 4 slots: 12 requests queue for the rate.
        const N: u32 = 12;
        let interval = Duration::from_millis(50);
        let budget = Arc::new(SiteBudget::new(limits(4, 20, 1)));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..N {
            let budget = Arc::clone(&budget);
            let order = Arc::clone(&order);
            tasks.push(tokio::spawn(async move {
                let permit = budget
                    .acquire(Duration::from_secs(10))
                    .await
                    .expect("within 10 s");
                order.lock().push(i);
                // In flight for a while, so slots are taken too.
                tokio::time::sleep(Duration::from_millis(120)).await;
                permit.waited()
            }));
            // Let it book before the next one arrives.
            tokio::task::yield_now().await;
        }
        // The queue now reaches 12 intervals ahead: a caller that may wait 0.4 s fails at
        // once, told how long the wait would be, and books nothing.
        let started = Instant::now();
        let err = budget
            .acquire(Duration::from_millis(400))
            .await
            .expect_err("the queue is longer than 0.4 s");
        assert!(started.elapsed() < Duration::from_millis(200));
        let JiraError::RateLimited {
            retry_after: Some(retry_after),
            reason: Some(reason),
        } = err
        else {
            panic!("expected a local rate limit, got {err:?}");
        };
        assert_eq!(reason, LOCAL_RATE_REASON);
        assert!(
            retry_after > interval * (N - 2) && retry_after <= interval * N,
            "{retry_after:?}"
        );

        let mut waits = Vec::new();
        for task in tasks {
            waits.push(task.await.expect("task"));
        }
        assert_eq!(*order.lock(), (0..N).collect::<Vec<_>>());
        for (i, waited) in (0..N).zip(&waits) {
            // The i-th request goes i intervals after the first (less the moment it arrived
            // after the first; more when the machine is slow).
            let expected = interval * i;
            assert!(
                *waited + Duration::from_millis(20) >= expected
                    && *waited <= expected + Duration::from_millis(500),
                "request {i} waited {waited:?}, expected about {expected:?}"
            );
        }
        // The one that gave up booked nothing: the next caller waits only its own turn.
        let next = budget.acquire(Duration::from_secs(1)).await.expect("next");
        assert!(next.waited() <= interval + Duration::from_millis(200));
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
