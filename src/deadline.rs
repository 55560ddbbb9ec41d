//! Asking again until a deadline: whether a service is ready, a process gone, a group
//! joined. Each helper asks at once, then every `every` until an answer comes or `timeout`
//! has passed, and tells which.

use std::time::{Duration, Instant};

/// Calls `ready` until it answers `Some`, sleeping `every` in between: its answer, or
/// `None` once `timeout` has passed without one.
pub fn poll<T>(
    timeout: Duration,
    every: Duration,
    mut ready: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(answer) = ready() {
            return Some(answer);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(every);
    }
}

/// The same for a question asked asynchronously, sleeping on the runtime's timer.
pub async fn poll_async<T>(
    timeout: Duration,
    every: Duration,
    mut ready: impl AsyncFnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(answer) = ready().await {
            return Some(answer);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_ends_the_wait() {
        let mut asked = 0;

        let answer = poll(Duration::from_secs(5), Duration::from_millis(1), || {
            asked += 1;
            (asked == 3).then_some(asked)
        });

        assert_eq!(answer, Some(3));
    }

    #[test]
    fn no_answer_by_the_deadline_is_none_after_asking_at_least_once() {
        let mut asked = 0;
        let started = Instant::now();

        let answer: Option<()> = poll(Duration::from_millis(30), Duration::from_millis(5), || {
            asked += 1;
            None
        });

        assert_eq!(answer, None);
        assert!(asked >= 2, "{asked}");
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[tokio::test]
    async fn the_async_helper_waits_the_same_way() {
        let mut asked = 0;

        let answer = poll_async(
            Duration::from_secs(5),
            Duration::from_millis(1),
            async || {
                asked += 1;
                (asked == 2).then_some("ready")
            },
        )
        .await;

        assert_eq!(answer, Some("ready"));
    }
}
