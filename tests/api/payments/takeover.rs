//! What an instance killed under load leaves behind is recorded before the checkers see it:
//! its attempts still in the processor's delay are looked up until that delay ends, not
//! resent and recorded only when the resend's own delay ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::support::{
    FINAL_LAG, Instance, PREVIEW_LAG, Payments, Processor, assert_paid_once, check, database, load,
    new_id,
};
use crate::helpers::{Harness, TestFn};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        an_instance_killed_under_load_leaves_no_difference_for_the_checkers,
        an_instance_killed_under_load_with_a_journal_leaves_no_difference_either,
        a_resend_refused_after_the_original_was_stored_is_counted_at_once,
    ]
}

/// Default answers after 1 s; both instances take payments; one is killed (SIGKILL) with
/// a second of them in default's delay. For 3 s a checker on each official window (the
/// published test's, requestedAt 1.5 s old; the final's, 2 s) compares the survivor's
/// summary with the processors' every 10 ms: not one payment of difference.
async fn an_instance_killed_under_load_leaves_no_difference_for_the_checkers(h: Arc<Harness>) {
    killed_under_load(&h, &[]).await;
}

/// The same with the instances writing each payment to a shared journal before its 202:
/// what the killed one had answered and not yet stored, the survivor replays, and pays.
async fn an_instance_killed_under_load_with_a_journal_leaves_no_difference_either(h: Arc<Harness>) {
    let journal = tempfile::tempdir().unwrap();
    killed_under_load(&h, &["--journal", journal.path().to_str().unwrap()]).await;
}

async fn killed_under_load(h: &Harness, flags: &[&str]) {
    let db = database(h).await;
    let default = Processor::spawn("0.07", &["--delay", "1000"]);
    let fallback = Processor::spawn("0.10", &[]);
    let flags = [&["--processor-timeout", "3s"], flags].concat();
    let apps = [
        Arc::new(Instance::spawn(&db, &default, &fallback, &flags)),
        Arc::new(Instance::spawn(&db, &default, &fallback, &flags)),
    ];
    let stops = [
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    ];
    let clients = load(apps.clone(), stops.clone());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stops[0].store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let doomed = apps[0].process.id();
    // SAFETY: kill(2) on a child this test started and has not waited for.
    assert_eq!(unsafe { libc::kill(doomed as i32, libc::SIGKILL) }, 0);
    let killed = Instant::now();
    let survivor = &apps[1];
    let mut differences = Vec::new();
    while killed.elapsed() < Duration::from_secs(3) {
        for lag in [PREVIEW_LAG, FINAL_LAG] {
            let difference = check(survivor, &default, &fallback, lag).await.difference();
            if difference != 0 {
                differences.push((lag, difference, killed.elapsed().as_millis()));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stops[1].store(true, Ordering::Relaxed);
    let accepted = clients.await.unwrap();
    assert_eq!(
        differences,
        vec![],
        "(window's lag, |Δdefault| + |Δfallback|, ms since the kill)"
    );
    assert_paid_once(
        survivor,
        &default,
        &fallback,
        &accepted,
        Duration::from_secs(30),
    )
    .await;
}

/// An instance sends a payment into default's 3 s delay, which neither instance knows of
/// (they read default's health at start, and not again for 30 s), and is killed. The
/// survivor takes the attempt over, finds nothing stored once the delay it knows has
/// passed and resends it. The original is stored when its delay ends; default then fails,
/// and refuses the resend. That refusal says nothing of the original, so the survivor looks
/// it up at once and counts it, rather than leave it pinned until its 8 s lease ends.
async fn a_resend_refused_after_the_original_was_stored_is_counted_at_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let default = Processor::spawn("0.07", &[]);
    let fallback = Processor::spawn("0.10", &[]);
    let flags = ["--processor-timeout", "6s", "--health-window", "30s"];
    let doomed = Instance::spawn(&db, &default, &fallback, &flags);
    let survivor = Instance::spawn(&db, &default, &fallback, &flags);
    tokio::time::sleep(Duration::from_secs(1)).await;
    default.set_delay(3000).await;
    let id = new_id();
    assert_eq!(doomed.pay(&id, "19.90").await, StatusCode::ACCEPTED);
    let sent = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // SAFETY: kill(2) on a child this test started and has not waited for.
    assert_eq!(
        unsafe { libc::kill(doomed.process.id() as i32, libc::SIGKILL) },
        0
    );
    tokio::time::sleep_until((sent + Duration::from_millis(3500)).into()).await;
    assert!(
        default.has(&id).await,
        "the original is stored when its delay ends"
    );
    default.set_failure(true).await;
    let log = |text: &str| {
        survivor
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains(text) && line.contains(&id))
    };
    assert!(
        log("resending an attempt without a known outcome"),
        "the survivor resent the attempt before the original was stored"
    );
    let deadline = sent + Duration::from_millis(6500);
    while survivor.counted("").await != (1, 0) {
        assert!(
            Instant::now() < deadline,
            "6.5 s after the send, the survivor counts {:?}; the processors hold {:?}",
            survivor.counted("").await,
            (default.stored("").await, fallback.stored("").await)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(log("an attempt without an answer was stored"));
    default.set_failure(false).await;
    assert_paid_once(
        &survivor,
        &default,
        &fallback,
        &[id],
        Duration::from_secs(10),
    )
    .await;
}
