//! The stored payments, in memory: the official processor's table
//! `payments(correlationId PRIMARY KEY, amount, requested_at)` and the two ways it is read.
//! A map by id answers the primary key and `GET /payments/{id}`; a second index ordered by
//! `requested_at` makes a summary window a range scan, so a consistency check over the last
//! seconds of a long run touches those seconds only.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use uuid::Uuid;

use super::timestamp::Timestamp;

/// One stored payment; the amount in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub cents: i64,
    pub requested_at: Timestamp,
}

/// `requested_at BETWEEN from AND to`, both inclusive; a missing bound does not limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// What a window holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub requests: u64,
    pub cents: i128,
}

#[derive(Debug, Default)]
pub struct Ledger {
    by_id: HashMap<Uuid, Payment>,
    /// Keyed by time then id, so that payments of the same instant stay distinct.
    by_time: BTreeMap<(Timestamp, Uuid), i64>,
}

impl Ledger {
    /// Stores a payment; `false`, storing nothing, when its id is already stored.
    pub fn insert(&mut self, payment: Payment) -> bool {
        match self.by_id.entry(payment.id) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(payment);
                self.by_time
                    .insert((payment.requested_at, payment.id), payment.cents);
                true
            }
        }
    }

    pub fn get(&self, id: &Uuid) -> Option<Payment> {
        self.by_id.get(id).copied()
    }

    /// Counts and adds up the payments of a window. A window that ends before it starts
    /// is empty, as in SQL (and a reversed range would make `BTreeMap::range` panic).
    pub fn summary(&self, window: &Window) -> Summary {
        if let (Some(from), Some(to)) = (window.from, window.to)
            && from > to
        {
            return Summary::default();
        }
        let start = window.from.map_or(Bound::Unbounded, |from| {
            Bound::Included((from, Uuid::nil()))
        });
        let end = window
            .to
            .map_or(Bound::Unbounded, |to| Bound::Included((to, Uuid::max())));
        self.by_time
            .range((start, end))
            .fold(Summary::default(), |sum, (_, cents)| Summary {
                requests: sum.requests + 1,
                cents: sum.cents + i128::from(*cents),
            })
    }

    /// Forgets every payment.
    pub fn purge(&mut self) {
        self.by_id.clear();
        self.by_time.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn payment(id: u128, cents: i64, when: &str) -> Payment {
        Payment {
            id: Uuid::from_u128(id),
            cents,
            requested_at: at(when),
        }
    }

    /// Three payments: 1.00 at :01, 2.00 and 3.00 at :02, 4.00 at :03.
    fn ledger() -> Ledger {
        let mut ledger = Ledger::default();
        for (id, cents, when) in [
            (1, 100, "2025-07-15T12:00:01Z"),
            (2, 200, "2025-07-15T12:00:02Z"),
            (3, 300, "2025-07-15T12:00:02Z"),
            (4, 400, "2025-07-15T12:00:03Z"),
        ] {
            assert!(ledger.insert(payment(id, cents, when)));
        }
        ledger
    }

    fn window(from: Option<&str>, to: Option<&str>) -> Window {
        Window {
            from: from.map(at),
            to: to.map(at),
        }
    }

    fn summary(requests: u64, cents: i128) -> Summary {
        Summary { requests, cents }
    }

    #[test]
    fn a_stored_id_is_refused_and_the_first_payment_kept() {
        let mut ledger = ledger();
        assert!(!ledger.insert(payment(1, 999, "2025-07-15T12:00:09Z")));
        assert_eq!(ledger.get(&Uuid::from_u128(1)).unwrap().cents, 100);
        assert_eq!(ledger.summary(&Window::default()), summary(4, 1000));
    }

    #[test]
    fn both_bounds_are_inclusive() {
        let ledger = ledger();
        let both = window(Some("2025-07-15T12:00:02Z"), Some("2025-07-15T12:00:03Z"));
        assert_eq!(ledger.summary(&both), summary(3, 900));
        let instant = window(Some("2025-07-15T12:00:02Z"), Some("2025-07-15T12:00:02Z"));
        assert_eq!(ledger.summary(&instant), summary(2, 500));
    }

    #[test]
    fn a_missing_bound_does_not_limit() {
        let ledger = ledger();
        let from = window(Some("2025-07-15T12:00:02Z"), None);
        assert_eq!(ledger.summary(&from), summary(3, 900));
        let to = window(None, Some("2025-07-15T12:00:02Z"));
        assert_eq!(ledger.summary(&to), summary(3, 600));
        assert_eq!(ledger.summary(&Window::default()), summary(4, 1000));
    }

    #[test]
    fn a_reversed_or_empty_window_holds_nothing() {
        let ledger = ledger();
        let reversed = window(Some("2025-07-15T12:00:03Z"), Some("2025-07-15T12:00:01Z"));
        assert_eq!(ledger.summary(&reversed), Summary::default());
        let later = window(Some("2025-07-15T13:00:00Z"), None);
        assert_eq!(ledger.summary(&later), Summary::default());
    }

    #[test]
    fn a_purge_forgets_everything() {
        let mut ledger = ledger();
        ledger.purge();
        assert_eq!(ledger.get(&Uuid::from_u128(1)), None);
        assert_eq!(ledger.summary(&Window::default()), Summary::default());
        assert!(ledger.insert(payment(1, 100, "2025-07-15T12:00:01Z")));
    }
}
