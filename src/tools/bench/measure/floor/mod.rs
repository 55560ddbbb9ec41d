//! The machine's floor: the scenario played against NGINX alone (`k6/floor/nginx.conf`),
//! which answers every request from memory, with nothing behind it and no envelope. What k6
//! sees there is what the machine, the kernel and k6 cost at that hour before any backend
//! does anything; no stack can do better, so a stack's figures mean something only beside
//! the floor's of the same hour. `rinha bench --floor` plays the floor, then the stack.

mod play;

use serde::{Deserialize, Serialize};

pub use play::play;

use super::machine::MachineUsage;
use super::report::{Report, Seen};

/// What the floor run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    pub requests: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// NGINX's CPU-milliseconds per request (its master and worker) while k6 ran.
    pub nginx_cpu_ms_per_request: Option<f64>,
    /// The share of the cores' time the hypervisor stole meanwhile, in percent.
    pub steal_percent: Option<f64>,
    /// The share of the cores' time that was busy (k6, NGINX, any processors, anything else
    /// on the machine), in percent.
    pub busy_percent: Option<f64>,
}

impl Floor {
    pub fn new(
        seen: Seen,
        seconds: f64,
        nginx_cpu_seconds: Option<f64>,
        machine: Option<&MachineUsage>,
    ) -> Self {
        Self {
            requests: seen.requests,
            seconds,
            p50_ms: seen.p50_ms,
            p99_ms: seen.p99_ms,
            max_ms: seen.max_ms,
            nginx_cpu_ms_per_request: nginx_cpu_seconds
                .map(|cpu| cpu * 1000.0 / seen.requests.max(1) as f64),
            steal_percent: machine.map(|m| m.steal_percent),
            busy_percent: machine.map(MachineUsage::busy_percent),
        }
    }

    /// What `rinha bench --floor-only` prints.
    pub fn table(&self, scenario: &str) -> String {
        let mut out = format!(
            "floor {scenario}: {} requests in {:.0} s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.requests, self.seconds, self.p50_ms, self.p99_ms, self.max_ms
        );
        if let Some(ms) = self.nginx_cpu_ms_per_request {
            out += &format!("\nNGINX spent {ms:.3} ms of CPU per request");
        }
        if let (Some(steal), Some(busy)) = (self.steal_percent, self.busy_percent) {
            out += &format!(
                "\nthe machine: {steal:.1} % of its time stolen by the hypervisor, {busy:.1} % busy"
            );
        }
        out
    }
}

/// One figure of the floor beside the stack's.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: &'static str,
    pub floor: Option<f64>,
    pub stack: Option<f64>,
    pub digits: usize,
    /// What the stack adds to the floor, for the latencies.
    pub added: Option<f64>,
}

/// The floor's figures beside the stack's run of the same scenario.
pub fn beside(report: &Report, floor: &Floor) -> Vec<Line> {
    let line = |what, floor, stack, digits| Line {
        what,
        floor,
        stack,
        digits,
        added: None,
    };
    let latency = |what, floor: f64, stack: f64| Line {
        added: Some(stack - floor),
        ..line(what, Some(floor), Some(stack), 2)
    };
    let nginx = report.services.iter().find(|s| s.name == "nginx");
    let nginx_ms = nginx
        .and_then(|s| s.cpu_seconds)
        .map(|cpu| cpu * 1000.0 / report.requests.max(1) as f64);
    let machine = report.machine.as_ref();
    vec![
        line(
            "requests",
            Some(floor.requests as f64),
            Some(report.requests as f64),
            0,
        ),
        latency("p50 ms", floor.p50_ms, report.p50_ms),
        latency("p99 ms", floor.p99_ms, report.p99_ms),
        latency("max ms", floor.max_ms, report.max_ms),
        line(
            "NGINX CPU ms per request",
            floor.nginx_cpu_ms_per_request,
            nginx_ms,
            3,
        ),
        line(
            "stolen by the hypervisor, %",
            floor.steal_percent,
            machine.map(|m| m.steal_percent),
            1,
        ),
        line(
            "the machine busy, %",
            floor.busy_percent,
            machine.map(MachineUsage::busy_percent),
            1,
        ),
    ]
}

/// "the stack adds 3.14 ms of p99 to the machine's floor (1.36 ms)".
pub fn sentence(report: &Report, floor: &Floor) -> String {
    format!(
        "the stack adds {:.2} ms of p99 to the machine's floor ({:.2} ms, NGINX alone just \
         before), {:.2} ms of p50 and {:.2} ms of max",
        report.p99_ms - floor.p99_ms,
        floor.p99_ms,
        report.p50_ms - floor.p50_ms,
        report.max_ms - floor.max_ms
    )
}

/// The floor beside the stack, as the table `rinha bench` prints it.
pub fn table(report: &Report, floor: &Floor) -> String {
    let cell =
        |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
    let mut out = format!(
        "{:<28} {:>10} {:>10} {:>15}\n",
        "beside the floor", "floor", "stack", "the stack adds"
    );
    for l in beside(report, floor) {
        let line = format!(
            "{:<28} {:>10} {:>10} {:>15}",
            l.what,
            cell(l.floor, l.digits),
            cell(l.stack, l.digits),
            l.added.map_or(String::new(), |a| format!("{a:+.2}"))
        );
        out += line.trim_end();
        out.push('\n');
    }
    out + &sentence(report, floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::bench::measure::fixtures::payments_run;

    fn floor() -> Floor {
        Floor {
            requests: 11_900,
            seconds: 62.0,
            p50_ms: 0.2,
            p99_ms: 1.5,
            max_ms: 9.0,
            nginx_cpu_ms_per_request: Some(0.04),
            steal_percent: Some(0.8),
            busy_percent: Some(40.0),
        }
    }

    #[test]
    fn the_floor_is_what_k6_saw_with_nginx_cpu_per_request_and_the_machine() {
        let seen = Seen {
            requests: 10_000,
            p50_ms: 0.2,
            p99_ms: 1.5,
            max_ms: 9.0,
        };
        let machine = MachineUsage {
            cores: 2,
            steal_percent: 0.8,
            busy_cpus: 0.8,
            outside_cpus: Some(0.4),
        };

        let floor = Floor::new(seen, 62.0, Some(0.4), Some(&machine));

        assert_eq!(floor.requests, 10_000);
        assert_eq!(floor.nginx_cpu_ms_per_request, Some(0.04));
        assert_eq!(floor.steal_percent, Some(0.8));
        assert_eq!(floor.busy_percent, Some(40.0));
        assert_eq!(
            floor.table("preview"),
            "floor preview: 10000 requests in 62 s; p50 0.20 ms, p99 1.50 ms, max 9.00 ms\n\
             NGINX spent 0.040 ms of CPU per request\n\
             the machine: 0.8 % of its time stolen by the hypervisor, 40.0 % busy"
        );
    }

    #[test]
    fn the_stack_adds_its_latency_over_the_floor_and_compares_like_with_like() {
        let run = payments_run();

        let lines = beside(&run.report, &floor());

        let of = |what: &str| lines.iter().find(|l| l.what == what).unwrap().clone();
        let p99 = of("p99 ms");
        assert_eq!((p99.floor, p99.stack), (Some(1.5), Some(4.5)));
        assert!((p99.added.unwrap() - 3.0).abs() < 1e-9, "{p99:?}");
        assert_eq!(of("requests").added, None);
        // The stack's NGINX per request, not per payment: 6 CPU-s over 12000 requests.
        let nginx = of("NGINX CPU ms per request");
        assert_eq!(nginx.floor, Some(0.04));
        assert!((nginx.stack.unwrap() - 0.5).abs() < 1e-9, "{nginx:?}");
        let busy = of("the machine busy, %");
        assert!((busy.stack.unwrap() - 55.0).abs() < 1e-9, "{busy:?}");
        assert!(
            sentence(&run.report, &floor())
                .starts_with("the stack adds 3.00 ms of p99 to the machine's floor (1.50 ms")
        );
    }

    #[test]
    fn the_table_sets_each_figure_of_the_floor_beside_the_stacks() {
        let run = payments_run();

        let table = table(&run.report, &floor());

        assert!(
            table.contains("p99 ms                             1.50       4.50           +3.00\n"),
            "{table}"
        );
        assert!(table.contains("stolen by the hypervisor, %         0.8        3.5\n"));
        assert!(
            table.ends_with("1.00 ms of p50 and 21.00 ms of max"),
            "{table}"
        );
    }
}
