//! Proxies between an instance and a processor: only the processor's own refusal (500)
//! frees a payment, since a proxy's 504 says nothing of what the processor did; and the
//! proxy variables of the environment are no way to the processors.

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rinha::tools::launcher::{Tool, find_tool};

use super::support::{Instance, Payments, Processor, assert_paid_once, database, new_id};
use crate::helpers::{Harness, TestFn, free_port};

pub fn all() -> Vec<(&'static str, TestFn)> {
    tests![
        a_proxy_that_times_out_while_the_processor_stores_pays_once,
        proxy_variables_in_the_environment_are_not_the_way_to_the_processors,
    ]
}

/// NGINX on a free port of 127.0.0.1 in front of one processor; killed when dropped.
struct Nginx {
    url: String,
    process: Child,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Passes every request to `upstream`, and answers 504 itself to one that the upstream
    /// has not answered within `read_timeout` (NGINX's syntax: `300ms`); the processor
    /// goes on with it all the same. One process (`master_process off`), so that killing
    /// it leaves no worker behind.
    async fn before(upstream: &Processor, read_timeout: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("rinha-nginx-")
            .tempdir()
            .expect("temp dir");
        let port = free_port();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off;
                master_process off;
                pid nginx.pid;
                error_log stderr warn;
                events {{ worker_connections 64; }}
                http {{
                    access_log off;
                    client_body_temp_path client_body_temp;
                    proxy_temp_path proxy_temp;
                    fastcgi_temp_path fastcgi_temp;
                    uwsgi_temp_path uwsgi_temp;
                    scgi_temp_path scgi_temp;
                    server {{
                        listen 127.0.0.1:{port};
                        location / {{
                            proxy_pass {};
                            proxy_read_timeout {read_timeout};
                        }}
                    }}
                }}",
                upstream.url
            ),
        )
        .expect("nginx.conf");
        let log = File::create(dir.path().join("error.log")).expect("NGINX's log");
        let process = Command::new(find_tool(Tool::Nginx).expect("NGINX is installed"))
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .args(["-e", "stderr"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("NGINX starts");
        let nginx = Self {
            url: format!("http://127.0.0.1:{port}"),
            process,
            dir,
        };
        nginx.ready().await;
        nginx
    }

    /// Waits until a request goes through NGINX to the processor: the processor's 404 for
    /// a payment it does not have.
    async fn ready(&self) {
        let probe = format!("{}/payments/{}", self.url, uuid::Uuid::nil());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let answer = reqwest::get(&probe).await.map(|r| r.status());
            if let Ok(StatusCode::NOT_FOUND) = answer {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "NGINX does not pass requests on ({answer:?}); its log:\n{}",
                std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// NGINX in front of default answers 504 after 300 ms, while default stores every payment
/// when its 800 ms delay ends. The 504 is NGINX's word, not the processor's: the outcome is
/// unknown, so each payment stays with default, is found stored there and is paid once,
/// although fallback is healthy and takes a refused payment at once (`--fallback-after 0s`).
async fn a_proxy_that_times_out_while_the_processor_stores_pays_once(h: Arc<Harness>) {
    let db = database(&h).await;
    let (default, fallback) = Processor::pair(&[]);
    default.set_delay(800).await;
    let proxy = Nginx::before(&default, "300ms").await;
    let app = Instance::through(
        &db.url,
        [&proxy.url, &fallback.url],
        &["--fallback-after", "0s"],
        &[],
    );
    let ids: Vec<String> = (0..10).map(|_| new_id()).collect();
    for id in &ids {
        assert_eq!(app.pay(id, "19.90").await, StatusCode::ACCEPTED);
    }
    assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(30)).await;
    // Every send that reached default is stored when its delay ends: past it, the
    // processors still hold each payment once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (at_default, at_fallback) =
        assert_paid_once(&app, &default, &fallback, &ids, Duration::ZERO).await;
    assert!(
        at_default >= 1,
        "the first payments went to default through NGINX, and were stored there"
    );
    eprintln!("a proxy's 504: {at_default} at default, {at_fallback} at fallback");
}

/// Each proxy variable reqwest would honour, in turn, names a port where nothing listens
/// (an empty NO_PROXY exempts no host, whatever the tests' own environment says): the
/// instance pays straight to the processors all the same.
async fn proxy_variables_in_the_environment_are_not_the_way_to_the_processors(h: Arc<Harness>) {
    let dead = format!("http://127.0.0.1:{}", free_port());
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let db = database(&h).await;
        let (default, fallback) = Processor::pair(&[]);
        let env = [
            (variable, dead.as_str()),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ];
        let app = Instance::through(&db.url, [&default.url, &fallback.url], &[], &env);
        let ids: Vec<String> = (0..3).map(|_| new_id()).collect();
        for id in &ids {
            assert_eq!(
                app.pay(id, "19.90").await,
                StatusCode::ACCEPTED,
                "{variable}"
            );
        }
        let paid = assert_paid_once(&app, &default, &fallback, &ids, Duration::from_secs(10)).await;
        assert_eq!(paid, (3, 0), "{variable}");
    }
}
