//! What the 2025 tests share: real `rinha processor` processes, real `rinha serve
//! --edition 2025` instances, and the checks that every accepted payment is paid once.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::db::Profile;
use rinha::edition::Edition;
use rinha::payments::domain::Moment;
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{
    Api, Database, Harness, Log, Reply, listening_address_and_log, serve_command,
};

/// The token every processor starts with.
const TOKEN: &str = "123";

/// A running `rinha processor`; killed when dropped.
pub struct Processor {
    pub url: String,
    http: reqwest::Client,
    process: Child,
}

impl Processor {
    /// Starts a processor on a free port with the given fee and extra flags.
    pub fn spawn(fee: &str, flags: &[&str]) -> Self {
        let mut process = Command::new(env!("CARGO_BIN_EXE_rinha"))
            .args(["processor", "--port", "0", "--fee", fee])
            .args(flags)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rinha processor starts");
        let (address, _) = listening_address_and_log(&mut process);
        Self {
            url: format!("http://{address}"),
            http: reqwest::Client::new(),
            process,
        }
    }

    /// The contest's pair: default (fee 0.05) and fallback (fee 0.15).
    pub fn pair(flags: &[&str]) -> (Self, Self) {
        (Self::spawn("0.05", flags), Self::spawn("0.15", flags))
    }

    async fn admin_put(&self, path: &str, body: Value) {
        let response = self
            .http
            .put(format!("{}/admin/configurations/{path}", self.url))
            .header("X-Rinha-Token", TOKEN)
            .json(&body)
            .send()
            .await
            .expect("the processor answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }

    pub async fn set_delay(&self, ms: u64) {
        self.admin_put("delay", json!({ "delay": ms })).await;
    }

    pub async fn set_failure(&self, failure: bool) {
        self.admin_put("failure", json!({ "failure": failure }))
            .await;
    }

    /// The admin summary's totalRequests over a window (each bound optional).
    pub async fn stored(&self, query: &str) -> i64 {
        let response = self
            .http
            .get(format!("{}/admin/payments-summary?{query}", self.url))
            .header("X-Rinha-Token", TOKEN)
            .send()
            .await
            .expect("the processor answers");
        let reply = Reply::from(response).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["totalRequests"].as_i64().expect("a count")
    }

    /// Whether the processor stored this correlationId.
    pub async fn has(&self, id: &str) -> bool {
        let response = self
            .http
            .get(format!("{}/payments/{id}", self.url))
            .send()
            .await
            .expect("the processor answers");
        match response.status() {
            StatusCode::OK => true,
            StatusCode::NOT_FOUND => false,
            other => panic!("GET /payments/{id}: {other}"),
        }
    }
}

impl Drop for Processor {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A running 2025 instance; killed when dropped.
pub struct Instance {
    pub api: Api,
    pub log: Log,
    pub process: Child,
}

impl std::ops::Deref for Instance {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// The 2025 API's calls, on an instance or on a stack's port.
pub trait Payments {
    /// Posts a payment and returns its status.
    async fn pay(&self, id: &str, amount: &str) -> StatusCode;

    /// Posts a payment and returns its status; an error when no answer came back.
    async fn try_pay(&self, id: &str, amount: &str) -> Result<StatusCode, reqwest::Error>;

    /// Our summary's (default, fallback) totalRequests over a window.
    async fn counted(&self, query: &str) -> (i64, i64);
}

impl Payments for Api {
    async fn pay(&self, id: &str, amount: &str) -> StatusCode {
        self.try_pay(id, amount)
            .await
            .expect("POST reaches the server")
    }

    async fn try_pay(&self, id: &str, amount: &str) -> Result<StatusCode, reqwest::Error> {
        let body = format!(r#"{{"correlationId":"{id}","amount":{amount}}}"#);
        Ok(self.try_post("/payments", &body).await?.status)
    }

    async fn counted(&self, query: &str) -> (i64, i64) {
        let reply = self.get(&format!("/payments-summary?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let json = reply.json();
        let count = |p: &str| json[p]["totalRequests"].as_i64().expect("a count");
        (count("default"), count("fallback"))
    }
}

impl Instance {
    /// Starts an instance on a free port, paying through `default` and `fallback`.
    pub fn spawn(db: &Database, default: &Processor, fallback: &Processor, flags: &[&str]) -> Self {
        Self::serving(&db.url, default, fallback, flags)
    }

    /// The same, on the database at `url`.
    pub fn serving(url: &str, default: &Processor, fallback: &Processor, flags: &[&str]) -> Self {
        Self::through(url, [&default.url, &fallback.url], flags, &[])
    }

    /// An instance on the database at `url` paying through the processors at `urls`
    /// (default, fallback), with `env` added to its environment.
    pub fn through(url: &str, urls: [&str; 2], flags: &[&str], env: &[(&str, &str)]) -> Self {
        let [default, fallback] = urls;
        let mut args = vec![
            "--edition",
            "2025",
            "--processor-default",
            default,
            "--processor-fallback",
            fallback,
        ];
        args.extend_from_slice(flags);
        let mut process = serve_command(url, "127.0.0.1:0", &args)
            .envs(env.iter().copied())
            .spawn()
            .expect("rinha serve starts");
        let (address, log) = listening_address_and_log(&mut process);
        Self {
            api: Api::at(format!("http://{address}")),
            log,
            process,
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A fresh 2025 database in the contest profile.
pub async fn database(h: &Harness) -> Database {
    h.database_of(Edition::Payments, Profile::Contest).await
}

/// A connection whose transaction holds `LOCK TABLE <lock>` (`payments IN EXCLUSIVE MODE`)
/// until it runs `ROLLBACK`.
pub async fn lock_table(db: &Database, lock: &str) -> tokio_postgres::Client {
    let locker = db.client().await;
    locker
        .batch_execute(&format!("BEGIN; LOCK TABLE {lock}"))
        .await
        .unwrap();
    locker
}

/// Waits until at least `n` statements of the database behind `client` whose text holds
/// `statement` wait for a lock.
pub async fn lock_waits(client: &tokio_postgres::Client, statement: &str, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let waiting: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock' \
                   AND strpos(query, $1) > 0",
                &[&statement],
            )
            .await
            .unwrap()
            .get(0);
        if waiting >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{waiting} statements holding {statement:?} wait for a lock, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A new correlationId.
pub fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// Waits (up to `limit`) until the processors together hold `expected` payments, then
/// checks that each accepted payment is stored at exactly one of them, that nothing else
/// is, and that our summary says the same per processor. Returns (default, fallback).
pub async fn assert_paid_once(
    instance: &Api,
    default: &Processor,
    fallback: &Processor,
    accepted: &[String],
    limit: Duration,
) -> (i64, i64) {
    let expected = accepted.len() as i64;
    let deadline = Instant::now() + limit;
    loop {
        let stored = default.stored("").await + fallback.stored("").await;
        let ours = instance.counted("").await;
        if stored == expected && ours.0 + ours.1 == expected {
            break;
        }
        assert!(
            stored <= expected,
            "the processors hold {stored} payments, {expected} were accepted"
        );
        assert!(
            Instant::now() < deadline,
            "after {limit:?}: {stored} of {expected} accepted payments stored, we count {ours:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let unique: HashSet<&String> = accepted.iter().collect();
    assert_eq!(unique.len(), accepted.len(), "the test sent a repeat");
    for id in accepted {
        let at = (default.has(id).await, fallback.has(id).await);
        assert!(
            at == (true, false) || at == (false, true),
            "{id}: stored at {at:?}"
        );
    }
    let theirs = (default.stored("").await, fallback.stored("").await);
    assert_eq!(
        instance.counted("").await,
        theirs,
        "our summary against theirs"
    );
    theirs
}

/// Clients posting payments to two instances, four each, one every 20 ms, until each
/// instance's `stop`; returns the accepted ids.
pub fn load(
    apps: [Arc<Instance>; 2],
    stop: [Arc<AtomicBool>; 2],
) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let clients: Vec<_> = (0..8)
            .map(|client| {
                let app = Arc::clone(&apps[client % 2]);
                let stop = Arc::clone(&stop[client % 2]);
                tokio::spawn(async move {
                    let mut accepted = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let id = new_id();
                        match app.pay(&id, "19.90").await {
                            StatusCode::ACCEPTED => accepted.push(id),
                            other => panic!("POST /payments answered {other}"),
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    accepted
                })
            })
            .collect();
        let mut accepted = Vec::new();
        for client in clients {
            accepted.extend(client.await.unwrap());
        }
        accepted
    })
}

/// How old a payment's requestedAt must be for the published test's checker to count it.
pub const PREVIEW_LAG: Duration = Duration::from_millis(1500);
/// The same for the final's checker.
pub const FINAL_LAG: Duration = Duration::from_millis(2000);

/// How long a difference may last while the answers that clear it are on their way: a
/// processor stored payments sent into a delay that rose beyond the checker's lag, and
/// answers them as it stores them. Far beyond an answer's way back and its settling, with
/// every test of the suite running at once on two cores; far short of a lease or a resend.
pub const ANSWERED_WITHIN: Duration = Duration::from_millis(500);

/// One comparison of the summaries, as the official checkers make it.
#[derive(Debug, Clone, Copy)]
pub struct Checked {
    /// The window's end: its start is 15 s earlier.
    pub to: OffsetDateTime,
    /// Our (default, fallback) totalRequests.
    pub ours: (i64, i64),
    /// The processors' (default, fallback) totalRequests.
    pub theirs: (i64, i64),
}

impl Checked {
    /// |Δdefault| + |Δfallback|.
    pub fn difference(&self) -> i64 {
        (self.ours.0 - self.theirs.0).abs() + (self.ours.1 - self.theirs.1).abs()
    }

    /// The same window asked again every 25 ms until the two sides agree or `within` has
    /// passed; the last comparison. A payment stored at its processor whose answer is on
    /// its way to us makes a difference that this one clears; a payment lost, recorded
    /// only when a lease ends, or paid twice makes one that stays.
    pub async fn again(
        &self,
        app: &Api,
        default: &Processor,
        fallback: &Processor,
        within: Duration,
    ) -> Checked {
        let deadline = Instant::now() + within;
        let mut last = *self;
        while last.difference() != 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(25)).await;
            last = window(app, default, fallback, self.to).await;
        }
        last
    }

    /// What lies behind a difference, asked after the fact: the counts, then each
    /// payment of the window that we have not recorded paid, with its state, when it was
    /// accepted and requested (ms before the window's end) and whether its processor
    /// stores it by now.
    pub async fn explain(
        &self,
        db: &Database,
        default: &Processor,
        fallback: &Processor,
    ) -> String {
        let rows = db
            .client()
            .await
            .query(
                "SELECT correlation_id::text, (progress).state::text, (progress).processor::text,                         round(extract(epoch FROM $2::timestamptz - accepted_at) * 1000)::int8,                         round(extract(epoch FROM $2::timestamptz - (progress).requested_at) * 1000)::int8                  FROM payments                  WHERE (progress).requested_at BETWEEN $1::timestamptz AND $2::timestamptz                    AND (progress).state <> 'paid'                  ORDER BY (progress).requested_at",
                &[&(self.to - Duration::from_secs(15)), &self.to],
            )
            .await
            .unwrap();
        let mut lines = vec![format!(
            "ours (default, fallback) {:?}, theirs {:?}",
            self.ours, self.theirs
        )];
        let shown = 10;
        if rows.len() > shown {
            lines.push(format!("{} such payments, the first {shown}:", rows.len()));
        }
        for row in rows.into_iter().take(shown) {
            let (id, state, processor): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            let at = if processor == "default" {
                default
            } else {
                fallback
            };
            lines.push(format!(
                "{id} {state} at {processor}: accepted {} ms and requested {} ms before the window's end; stored there now: {}",
                row.get::<_, i64>(3),
                row.get::<_, i64>(4),
                at.has(&id).await
            ));
        }
        lines.join("\n")
    }
}

/// As the official checkers do: the processors' admin summaries and ours, asked at once,
/// over [now − 15 s, now − `lag`].
pub async fn check(app: &Api, default: &Processor, fallback: &Processor, lag: Duration) -> Checked {
    window(app, default, fallback, OffsetDateTime::now_utc() - lag).await
}

/// The same comparison over [`to` − 15 s, `to`].
async fn window(
    app: &Api,
    default: &Processor,
    fallback: &Processor,
    to: OffsetDateTime,
) -> Checked {
    let query = format!("from={}&to={}", iso(to - Duration::from_secs(15)), iso(to));
    let (d, f, ours) = tokio::join!(
        default.stored(&query),
        fallback.stored(&query),
        app.counted(&query)
    );
    Checked {
        to,
        ours,
        theirs: (d, f),
    }
}

/// An instant as the summaries' bounds take it.
pub fn iso(t: OffsetDateTime) -> String {
    Moment::from(t).to_string()
}

/// Inserts attempts in flight at default, sent at `requested_at` by an instance that never
/// said it was alive, and held until a minute from now.
pub async fn in_flight(db: &Database, ids: &[Uuid], requested_at: Moment) {
    db.client()
        .await
        .execute(
            "INSERT INTO payments (correlation_id, amount, progress) \
             SELECT id, 1990, ROW('sending'::payment_state, 'default'::processor, \
                                  $2::timestamptz, gen_random_uuid(), \
                                  now() + interval '1 minute')::progress \
             FROM unnest($1::uuid[]) AS id",
            &[&ids, &requested_at.get()],
        )
        .await
        .unwrap();
}
