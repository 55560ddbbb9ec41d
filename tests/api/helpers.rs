//! The test harness: one throw-away PostgreSQL cluster for the whole run, a fresh database
//! per test, and real `rinha serve` processes spoken to over HTTP.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::pin::Pin;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use reqwest::StatusCode;
use rinha::bank::store::Audit;
use rinha::db::Profile;
use rinha::edition::Edition;
use rinha::tools::launcher::postgres::{Cluster, connect};
use serde_json::Value;

/// What every test gets: the cluster, to create its own databases in.
/// What the whole run shares: one throw-away cluster.
pub struct Shared {
    cluster: Cluster,
    databases: AtomicUsize,
    _dir: tempfile::TempDir,
}

/// What one test gets: the cluster, to create its own databases in. Every bank database a
/// test creates is audited once the test has passed.
pub struct Harness {
    shared: Arc<Shared>,
    created: Mutex<Vec<tokio_postgres::Config>>,
}

pub type TestFn = fn(Arc<Harness>) -> Pin<Box<dyn Future<Output = ()>>>;

/// Settings that make a throw-away cluster fast; nothing here needs to survive a crash.
/// `pg_stat_activity` keeps each statement's whole text, its comments included, so that a
/// test can tell which statement waits (by default it keeps the first 1 KB).
const THROWAWAY: [(&str, &str); 5] = [
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
    ("max_connections", "200"),
    ("track_activity_query_size", "16384"),
];

impl Shared {
    pub fn start(runtime: &tokio::runtime::Runtime) -> Arc<Self> {
        let dir = tempfile::Builder::new()
            .prefix("rinha-test-")
            .tempdir()
            .expect("temp dir");
        let cluster = runtime
            .block_on(Cluster::start(dir.path(), &THROWAWAY, None))
            .unwrap_or_else(|e| panic!("cannot start the test PostgreSQL cluster: {e}"));
        Arc::new(Self {
            cluster,
            databases: AtomicUsize::new(0),
            _dir: dir,
        })
    }
}

impl Harness {
    pub fn new(shared: Arc<Shared>) -> Arc<Self> {
        Arc::new(Self {
            shared,
            created: Mutex::new(Vec::new()),
        })
    }

    /// A fresh bank database with the schema and seed of `profile`.
    pub async fn database(&self, profile: Profile) -> Database {
        self.database_of(Edition::Bank, profile).await
    }

    /// A fresh database of `edition` in `profile`.
    pub async fn database_of(&self, edition: Edition, profile: Profile) -> Database {
        let Shared {
            cluster, databases, ..
        } = &*self.shared;
        let name = format!("test_{}", databases.fetch_add(1, Ordering::Relaxed));
        cluster
            .create_database(&name, edition, profile)
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e:?}"));
        if edition == Edition::Bank {
            self.created.lock().unwrap().push(cluster.config(&name));
        }
        Database {
            url: cluster.url(&name),
            config: cluster.config(&name),
            admin: cluster.config("postgres"),
            name,
        }
    }

    /// A fresh contest database and one instance serving it.
    pub async fn app(&self) -> (Database, TestApp) {
        let db = self.database(Profile::Contest).await;
        let app = TestApp::spawn(&db).await;
        (db, app)
    }

    /// Fails loudly unless every database this test created balances its books.
    pub async fn audit(&self) {
        let created = self.created.lock().unwrap().clone();
        for config in created {
            let client = connect(&config).await.expect("audit connection");
            let audit = Audit::run(&client).await.expect("the audit runs");
            assert!(audit.balances(), "{:?}: {audit}", config.get_dbname());
        }
    }
}

pub struct Database {
    pub name: String,
    pub url: String,
    pub config: tokio_postgres::Config,
    admin: tokio_postgres::Config,
}

impl Database {
    /// A direct connection, to look behind the API's back.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.config).await.expect("direct connection")
    }

    /// A connection to the cluster's `postgres` database, to act on this one from outside.
    pub async fn admin(&self) -> tokio_postgres::Client {
        connect(&self.admin).await.expect("admin connection")
    }
}

/// The API at a base URL (an instance, or the stack's port), with typed requests.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn at(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::new(),
        }
    }

    pub async fn post_transaction(&self, id: impl std::fmt::Display, body: &str) -> Reply {
        let request = self
            .http
            .post(format!("{}/clientes/{id}/transacoes", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        Reply::from(request.send().await.expect("POST reaches the server")).await
    }

    /// Posts a well-formed transaction.
    pub async fn transact(&self, id: i32, valor: i64, tipo: &str, descricao: &str) -> Reply {
        let body = serde_json::json!({"valor": valor, "tipo": tipo, "descricao": descricao});
        self.post_transaction(id, &body.to_string()).await
    }

    /// Posts `body` as JSON to `path`.
    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.try_post(path, body)
            .await
            .expect("POST reaches the server")
    }

    /// Posts `body` as JSON to `path`; an error when no answer came back.
    pub async fn try_post(&self, path: &str, body: &str) -> Result<Reply, reqwest::Error> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        Ok(Reply::from(request.send().await?).await)
    }

    pub async fn get(&self, path: &str) -> Reply {
        let response = self.http.get(format!("{}{path}", self.base)).send().await;
        Reply::from(response.expect("GET reaches the server")).await
    }

    pub async fn statement(&self, id: impl std::fmt::Display) -> Reply {
        self.get(&format!("/clientes/{id}/extrato")).await
    }
}

/// A running `rinha serve` process; killed when dropped.
pub struct TestApp {
    pub api: Api,
    pub process: Child,
}

impl std::ops::Deref for TestApp {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    /// Starts an instance on a free TCP port of 127.0.0.1.
    pub async fn spawn(db: &Database) -> Self {
        Self::serving(&db.url)
    }

    /// The same, with `args` added to its command line.
    pub async fn spawn_with(db: &Database, args: &[&str]) -> Self {
        Self::serving_with(&db.url, args)
    }

    /// Starts an instance on a free TCP port of 127.0.0.1 for the database at `url`.
    pub fn serving(url: &str) -> Self {
        Self::serving_with(url, &[])
    }

    fn serving_with(url: &str, args: &[&str]) -> Self {
        let mut process = serve(url, "127.0.0.1:0", args);
        let address = listening_address(&mut process);
        Self {
            api: Api::at(format!("http://{address}")),
            process,
        }
    }

    /// Sends `signal` and waits for the process to exit.
    pub fn stop_with(&mut self, signal: i32) -> ExitStatus {
        stop_with(&mut self.process, signal)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One transaction a load sent, and what it got.
pub struct Sent {
    pub description: String,
    pub status: StatusCode,
    pub took: std::time::Duration,
}

/// Eight clients posting alternate credits and debits of 10 to `api`, each its own
/// account in turn, until `stop`; descriptions are `{prefix}{client}-{n}`, all distinct.
pub fn load(
    api: &Api,
    prefix: &'static str,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<Sent>>> {
    (0..8)
        .map(|client| {
            let (api, stop) = (api.clone(), Arc::clone(stop));
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let description = format!("{prefix}{client}-{n}");
                    let tipo = if n % 2 == 0 { "c" } else { "d" };
                    let started = Instant::now();
                    let reply = api.transact(1 + client % 5, 10, tipo, &description).await;
                    sent.push(Sent {
                        description,
                        status: reply.status,
                        took: started.elapsed(),
                    });
                }
                sent
            })
        })
        .collect()
}

/// Stops a load and gathers what it sent.
pub async fn finish(
    stop: &AtomicBool,
    clients: Vec<tokio::task::JoinHandle<Vec<Sent>>>,
) -> Vec<Sent> {
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for client in clients {
        sent.extend(client.await.expect("a load client"));
    }
    sent
}

/// Asserts that every acknowledged (200) transaction of `sent` is in the ledger behind
/// `client`, and returns how many were acknowledged.
pub async fn assert_none_lost(client: &tokio_postgres::Client, sent: &[Sent]) -> usize {
    let rows = client
        .query("SELECT descricao FROM transacoes", &[])
        .await
        .unwrap();
    let recorded: std::collections::HashSet<String> = rows.iter().map(|row| row.get(0)).collect();
    let acknowledged: Vec<&Sent> = sent.iter().filter(|s| s.status == StatusCode::OK).collect();
    for s in &acknowledged {
        assert!(
            recorded.contains(&s.description),
            "{} was acknowledged but is not in the ledger",
            s.description
        );
    }
    acknowledged.len()
}

/// The lines `rinha stack` prints before it says it is ready: its table of services.
pub fn stack_table(stack: &mut Child) -> Vec<String> {
    let stdout = stack.stdout.take().expect("stdout is piped");
    BufReader::new(stdout)
        .lines()
        .map(|line| line.expect("the stack's output"))
        .take_while(|line| !line.starts_with("ready on"))
        .collect()
}

/// A TCP port of 127.0.0.1 that nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `rinha serve` listening on `listen`, with extra flags.
pub fn serve(database_url: &str, listen: &str, flags: &[&str]) -> Child {
    serve_command(database_url, listen, flags)
        .spawn()
        .expect("rinha serve starts")
}

/// The command [`serve`] runs, to add to before it starts.
pub fn serve_command(database_url: &str, listen: &str, flags: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rinha"));
    command
        .args(["serve", "--listen", listen, "--startup-timeout", "10s"])
        .args(flags)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Reads the process's log until its `listening` line and returns the bound address; the
/// rest of the log is drained in the background (printed when TEST_LOG is set).
pub fn listening_address(process: &mut Child) -> String {
    listening_address_and_log(process).0
}

#[path = "../common/process.rs"]
mod process;
mod scrape;

pub use process::{Log, Reply, listening_address_and_log};
pub use scrape::{Scrape, unix_get};

/// Sends a signal and waits (up to 10 s) for the process to exit.
pub fn stop_with(child: &mut Child, signal: i32) -> ExitStatus {
    process::signal(child, signal);
    process::wait(child)
}

/// Asserts an RFC 3339 UTC timestamp with microseconds and a `Z`, as in
/// `2024-01-17T02:34:38.543030Z`, and returns it.
pub fn assert_timestamp(value: &Value) -> String {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    let shape: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { 'n' } else { c })
        .collect();
    assert_eq!(shape, "nnnn-nn-nnTnn:nn:nn.nnnnnnZ", "timestamp {text}");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"));
    text.to_owned()
}
