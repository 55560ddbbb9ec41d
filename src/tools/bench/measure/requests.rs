//! k6's own time series: every request's duration as k6 wrote it (`--out csv=…gz`, times
//! in Unix milliseconds), bucketed per second into a rate and its p50 and p99.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The requests to the stack, second by second from the start of the test.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Requests {
    /// When the test started (its first sample tagged with a scenario; `setup()` comes
    /// before), in milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    pub seconds: Vec<Second>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Second {
    /// Seconds since the start of the test (negative during `setup()`).
    pub at: i64,
    /// Requests that ended in that second: the rate per second.
    pub requests: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The columns of k6's CSV output that matter here.
#[derive(Deserialize)]
struct Row<'a> {
    metric_name: &'a str,
    timestamp: u64,
    metric_value: f64,
    scenario: &'a str,
    url: &'a str,
}

impl Requests {
    /// Reads k6's gzipped CSV output, keeping the requests whose URL starts with `base_url`
    /// (the stack's, not the processors' admin endpoints).
    pub fn from_csv_gz(path: &Path, base_url: &str) -> io::Result<Self> {
        let file = BufReader::new(File::open(path)?);
        Self::from_csv(flate2::read::GzDecoder::new(file), base_url)
    }

    fn from_csv(reader: impl Read, base_url: &str) -> io::Result<Self> {
        let mut csv = csv::Reader::from_reader(reader);
        let headers = csv.headers()?.clone();
        let mut started = u64::MAX;
        let mut durations = Vec::new();
        let mut record = csv::StringRecord::new();
        while csv.read_record(&mut record)? {
            let row: Row = record.deserialize(Some(&headers))?;
            if !row.scenario.is_empty() {
                started = started.min(row.timestamp);
            }
            if row.metric_name == "http_req_duration" && row.url.starts_with(base_url) {
                durations.push((row.timestamp, row.metric_value));
            }
        }
        if started == u64::MAX {
            started = durations.iter().map(|(t, _)| *t).min().unwrap_or(0);
        }
        let mut buckets: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
        for (timestamp, ms) in durations {
            let at = (timestamp as i64 - started as i64).div_euclid(1000);
            buckets.entry(at).or_default().push(ms);
        }
        // The last second is cut short by the end of the test: its count is no rate.
        if buckets.len() > 1 {
            buckets.pop_last();
        }
        let seconds = buckets
            .into_iter()
            .map(|(at, mut ms)| {
                ms.sort_by(f64::total_cmp);
                Second {
                    at,
                    requests: ms.len() as u64,
                    p50_ms: percentile(&ms, 0.50),
                    p99_ms: percentile(&ms, 0.99),
                }
            })
            .collect();
        Ok(Self {
            started_unix_ms: started,
            seconds,
        })
    }
}

/// The nearest-rank percentile of sorted, non-empty values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// k6 1.1's columns, with one `setup()` request, one to a processor, three seconds and
    /// the last one, cut short.
    const CSV: &str = "\
metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata
http_req_duration,1000500,9.0,,,,true,::setup,POST,http://localhost:9999/purge-payments,HTTP/1.1,,,200,,,http://localhost:9999/purge-payments,,
http_reqs,1002000,1,,,,true,,PUT,http://localhost:8001/admin,HTTP/1.1,stage_0,,200,,,http://localhost:8001/admin,,
http_req_duration,1002000,50.0,,,,true,,PUT,http://localhost:8001/admin,HTTP/1.1,stage_0,,200,,,http://localhost:8001/admin,,
http_req_duration,1002100,1.0,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
http_req_duration,1002900,3.0,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
http_req_duration,1002950,2.0,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
http_req_waiting,1002950,1.5,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
http_req_duration,1004100,7.0,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
http_req_duration,1005010,8.0,,,,true,,POST,http://localhost:9999/payments,HTTP/1.1,payments,,202,,,http://localhost:9999/payments,,
";

    #[test]
    fn requests_to_the_stack_are_bucketed_per_second_from_the_start() {
        let requests = Requests::from_csv(CSV.as_bytes(), "http://localhost:9999").unwrap();

        assert_eq!(requests.started_unix_ms, 1_002_000);
        let second = |at, requests, p50_ms, p99_ms| Second {
            at,
            requests,
            p50_ms,
            p99_ms,
        };
        assert_eq!(
            requests.seconds,
            [
                second(-2, 1, 9.0, 9.0),
                second(0, 3, 2.0, 3.0),
                second(2, 1, 7.0, 7.0)
            ]
        );
    }
}
