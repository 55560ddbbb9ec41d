use std::fmt::Write;

use serde::Deserialize;
use time::OffsetDateTime;

use super::{CentsTotal, InvalidInstant, Moment, Processor};

/// The payments one processor stored, as our summary counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub requests: i64,
    pub amount: CentsTotal,
}

/// `GET /payments-summary`'s answer: each processor's totals over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub default: Totals,
    pub fallback: Totals,
}

impl Summary {
    pub fn totals_mut(&mut self, processor: Processor) -> &mut Totals {
        match processor {
            Processor::Default => &mut self.default,
            Processor::Fallback => &mut self.fallback,
        }
    }

    /// `{"default":{"totalRequests":2,"totalAmount":39.80},"fallback":{…}}`, amounts as
    /// exact numbers with two decimals (serde would print a float, which is neither).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(128);
        let totals = |out: &mut String, name: &str, t: &Totals| {
            let _ = write!(
                out,
                r#""{name}":{{"totalRequests":{},"totalAmount":{}}}"#,
                t.requests, t.amount
            );
        };
        out.push('{');
        totals(&mut out, "default", &self.default);
        out.push(',');
        totals(&mut out, "fallback", &self.fallback);
        out.push('}');
        out
    }
}

/// The instants a summary covers, both bounds inclusive and each optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// The query string as sent: each bound optional.
#[derive(Deserialize)]
struct Query {
    from: Option<String>,
    to: Option<String>,
}

impl Window {
    /// From a query string such as `from=2025-07-15T12:34:56.000Z&to=…`. Other parameters
    /// are ignored; an empty bound is no bound; an unparsable one is an error.
    pub fn from_query(query: &str) -> Result<Self, InvalidInstant> {
        let query: Query =
            serde_urlencoded::from_str(query).map_err(|_| InvalidInstant(query.to_owned()))?;
        let bound = |text: Option<String>| match text.as_deref() {
            None | Some("") => Ok(None),
            Some(text) => Moment::parse(text).map(Some),
        };
        Ok(Self {
            from: bound(query.from)?,
            to: bound(query.to)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_summary_prints_exact_amounts() {
        let summary = Summary {
            default: Totals {
                requests: 43236,
                amount: CentsTotal::new(41554234598),
            },
            fallback: Totals::default(),
        };
        assert_eq!(
            summary.to_json(),
            r#"{"default":{"totalRequests":43236,"totalAmount":415542345.98},"fallback":{"totalRequests":0,"totalAmount":0.00}}"#
        );
    }

    #[test]
    fn both_bounds_are_optional() {
        assert_eq!(Window::from_query("").unwrap(), Window::default());
        let w = Window::from_query("from=2025-07-15T12:34:56.000Z").unwrap();
        assert_eq!(w.from, Some(datetime!(2025-07-15 12:34:56 UTC)));
        assert_eq!(w.to, None);
    }

    #[test]
    fn an_escaped_bound_is_decoded() {
        let w = Window::from_query("to=2025-07-15T12%3A34%3A56.789Z&x=1").unwrap();
        assert_eq!(w.to, Some(datetime!(2025-07-15 12:34:56.789 UTC)));
    }

    #[test]
    fn an_unparsable_bound_is_an_error() {
        for query in ["from=yesterday", "to=2025-07-15", "to=1"] {
            assert!(Window::from_query(query).is_err(), "{query}");
        }
    }
}
