//! Any bytes as a `POST /clientes/{id}/transacoes` body: the parser never panics, and what
//! it accepts is a valid transaction (positive amount, 1 to 10 characters, no NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rinha::domain::{Description, NewTransaction};

fuzz_target!(|body: &[u8]| {
    if let Ok(transaction) = NewTransaction::from_json(&mut body.to_vec()) {
        assert!(transaction.amount.get() > 0);
        let chars = transaction.description.as_str().chars().count();
        assert!((1..=Description::MAX_CHARS).contains(&chars));
        assert!(!transaction.description.as_str().contains('\0'));
    }
});
