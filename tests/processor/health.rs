//! `GET /payments/service-health`: the current settings, one call per window shared by
//! every caller, two more waiting for the next windows, oldest first, the rest 429 at once.
//! Timings are asserted loosely: a queued call is answered a window later, give or take a
//! busy machine, and the order of answers is what must hold.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::TestFn;
use crate::helpers::{Processor, Reply};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        one_call_per_window_two_wait_and_the_next_is_429,
        the_health_check_reports_the_current_settings,
    ]
}

const WINDOW: Duration = Duration::from_secs(1);

/// A call's reply and when it came, from a common start.
struct Timed {
    reply: Reply,
    after: Duration,
}

/// Calls the health check `delay` after `start`.
async fn call(processor: &Processor, start: Instant, delay: Duration) -> Timed {
    tokio::time::sleep_until((start + delay).into()).await;
    let reply = processor.get("/payments/service-health").await;
    Timed {
        reply,
        after: start.elapsed(),
    }
}

/// Returns the start of a window, give or take a request's latency: calls until one is
/// queued, which is answered when the next window starts. Windows start with the process,
/// not with the first call, so a test cannot know where they fall otherwise.
async fn next_window(processor: &Processor) -> Instant {
    for _ in 0..3 {
        let called = Instant::now();
        let reply = processor.get("/payments/service-health").await;
        assert_eq!(reply.status, StatusCode::OK);
        if called.elapsed() > WINDOW / 4 {
            return Instant::now();
        }
    }
    panic!("three calls in a row were answered at once: the limiter lets everyone through");
}

async fn one_call_per_window_two_wait_and_the_next_is_429() {
    let processor = Processor::with(&["--health-window", "1s"]);
    let start = next_window(&processor).await + WINDOW + Duration::from_millis(50);
    tokio::time::sleep_until(start.into()).await;

    let step = Duration::from_millis(100);
    let (first, second, third, fourth) = tokio::join!(
        call(&processor, start, Duration::ZERO),
        call(&processor, start, step),
        call(&processor, start, step * 2),
        call(&processor, start, step * 3),
    );
    for timed in [&first, &second, &third] {
        assert_eq!(timed.reply.status, StatusCode::OK);
        assert_eq!(timed.reply.body, r#"{"failing":false,"minResponseTime":0}"#);
    }
    assert_eq!(fourth.reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fourth.reply.body, "");

    let half = WINDOW / 2;
    assert!(
        first.after < half,
        "the first call waited {:?}",
        first.after
    );
    assert!(fourth.after < half, "the 429 waited {:?}", fourth.after);
    assert!(
        second.after > half,
        "the second call did not wait: {:?}",
        second.after
    );
    assert!(
        third.after > second.after + half,
        "the third call was not served a window after the second: {:?} then {:?}",
        second.after,
        third.after
    );
}

async fn the_health_check_reports_the_current_settings() {
    let processor = Processor::with(&["--health-window", "100ms", "--delay", "250", "--failure"]);
    let health = processor.get("/payments/service-health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.content_type.as_deref(), Some("application/json"));
    assert_eq!(health.body, r#"{"failing":true,"minResponseTime":250}"#);

    processor.set_delay(20).await;
    processor.set_failure(false).await;
    let health = processor.get("/payments/service-health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, r#"{"failing":false,"minResponseTime":20}"#);
}
