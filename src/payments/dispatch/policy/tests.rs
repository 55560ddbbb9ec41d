use super::*;
use Processor::{Default, Fallback};

const HOLD: Duration = Duration::from_secs(30);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn policy(max_in_flight: usize) -> Policy {
    Policy::new(max_in_flight, HOLD)
}

fn at_once(processor: Processor) -> Option<Route> {
    Some(Route {
        processor,
        waited: Duration::ZERO,
    })
}

fn reading(failing: bool, delay: u64, stamp: i64) -> HealthReading {
    HealthReading {
        failing,
        delay: ms(delay),
        age: Duration::ZERO,
        stamp,
    }
}

#[test]
fn the_wait_for_a_refusing_default_follows_the_fees() {
    let secs = |fees| hold(fees).as_secs_f64();
    assert!((secs(Fees::PREVIEW) - 300.0 * 0.10 / 0.85).abs() < 1e-6);
    assert!((secs(Fees::FINAL) - 10.0).abs() < 1e-6);
    assert_eq!(hold(Fees::new(0.1, 0.1).unwrap()), Duration::ZERO);
    let wider = Fees::new(0.07, 0.12).unwrap();
    assert!(
        hold(wider) > hold(Fees::FINAL),
        "a wider gap is worth a longer wait"
    );
}

#[test]
fn a_fresh_policy_sends_to_default() {
    let policy = policy(4);
    assert_eq!(policy.choose(Instant::now()), at_once(Default));
}

#[test]
fn a_full_default_overflows_to_fallback_then_to_the_queue() {
    let now = Instant::now();
    let mut policy = policy(2);
    for _ in 0..2 {
        policy.start(Default, now);
    }
    assert_eq!(policy.choose(now), at_once(Fallback));
    for _ in 0..2 {
        policy.start(Fallback, now);
    }
    assert_eq!(policy.choose(now), None);
}

#[test]
fn while_default_refuses_fallback_takes_only_payments_that_waited_for_it() {
    let now = Instant::now();
    let mut policy = policy(4);
    let t = policy.start(Default, now);
    policy.finish(t, Answer::Refused, now + ms(10));
    let held = Some(Route {
        processor: Fallback,
        waited: HOLD,
    });
    assert_eq!(policy.choose(now + ms(20)), held);
    policy.health(Default, reading(true, 3000, 1), now + ms(30));
    assert_eq!(policy.choose(now + ms(40)), held, "slow and refusing");
    policy.health(Default, reading(false, 3000, 2), now + ms(50));
    assert_eq!(
        policy.choose(now + ms(60)),
        at_once(Fallback),
        "only slow: it may stay so to the end"
    );
}

#[test]
fn with_no_wait_a_refusing_default_sends_payments_to_fallback_at_once() {
    let now = Instant::now();
    let mut policy = Policy::new(4, Duration::ZERO);
    let t = policy.start(Default, now);
    policy.finish(t, Answer::Refused, now + ms(10));
    assert_eq!(policy.choose(now + ms(20)), at_once(Fallback));
}

#[test]
fn a_failing_processor_gets_one_probe_per_interval() {
    let now = Instant::now();
    let mut policy = policy(4);
    let t = policy.start(Default, now);
    policy.finish(t, Answer::Refused, now);
    assert_eq!(policy.room(Default, now + ms(500)), 0);
    let later = now + PROBE_EVERY;
    assert_eq!(policy.room(Default, later), 1);
    let probe = policy.start(Default, later);
    assert_eq!(policy.room(Default, later), 0, "one probe at a time");
    policy.finish(probe, Answer::Stored, later + ms(5));
    assert_eq!(policy.room(Default, later + ms(6)), 4, "recovered");
}

#[test]
fn a_slow_failing_processor_is_never_probed_until_its_health_says_it_is_fast() {
    let now = Instant::now();
    let mut policy = policy(4);
    let t = policy.start(Default, now);
    policy.finish(t, Answer::Refused, now + ms(2000));
    for wait in [PROBE_EVERY, PROBE_EVERY * 10] {
        assert_eq!(policy.room(Default, now + ms(2000) + wait), 0);
    }
    let later = now + ms(2000) + PROBE_EVERY * 10;
    policy.health(Default, reading(true, 20, 1), later);
    assert_eq!(
        policy.room(Default, later),
        0,
        "fast but failing: probe later"
    );
    assert_eq!(policy.room(Default, later + PROBE_EVERY), 1);
    policy.health(Default, reading(false, 20, 2), later + PROBE_EVERY);
    assert_eq!(policy.room(Default, later + PROBE_EVERY), 4);
}

#[test]
fn a_delay_above_the_cap_stops_the_lane() {
    let now = Instant::now();
    let mut policy = policy(4);
    policy.health(Default, reading(false, 2000, 1), now);
    assert_eq!(policy.choose(now), at_once(Fallback));
    policy.health(Default, reading(false, 1000, 2), now + ms(1));
    assert_eq!(policy.choose(now + ms(1)), at_once(Default));
}

#[test]
fn an_attempt_outliving_its_delay_stalls_the_lane() {
    let now = Instant::now();
    let mut policy = policy(4);
    policy.health(Default, reading(false, 103, 1), now);
    policy.start(Default, now);
    let outlived = ms(103) + STALL_MARGIN;
    assert_eq!(policy.choose(now + outlived), at_once(Default));
    assert_eq!(policy.choose(now + outlived + ms(1)), at_once(Fallback));
}

#[test]
fn an_older_observation_does_not_override_a_newer_one() {
    let now = Instant::now();
    let mut policy = policy(4);
    let old = policy.start(Default, now);
    let new = policy.start(Default, now + ms(10));
    policy.finish(new, Answer::Stored, now + ms(20));
    policy.finish(old, Answer::Refused, now + ms(30));
    assert_eq!(policy.choose(now + ms(40)), at_once(Default));
}

#[test]
fn the_same_health_answer_read_again_does_not_delay_the_probe() {
    let now = Instant::now();
    let mut policy = policy(4);
    policy.health(Default, reading(true, 0, 7), now);
    policy.health(Default, reading(true, 0, 7), now + PROBE_EVERY);
    assert_eq!(policy.room(Default, now + PROBE_EVERY), 1);
}

#[test]
fn silence_makes_a_processor_slow_until_it_answers() {
    let now = Instant::now();
    let mut policy = policy(4);
    let t = policy.start(Default, now);
    policy.finish(t, Answer::Unknown(None), now + ms(10_000));
    assert_eq!(policy.choose(now + ms(10_001)), at_once(Fallback));
}
