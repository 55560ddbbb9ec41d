//! The tables `rinha bench` prints: the run's figures and each service's, and the floor's,
//! alone or beside the stack's (the page sets the same lines side by side).

use crate::tools::bench::measure::floor::Floor;
use crate::tools::bench::measure::machine::MachineUsage;
use crate::tools::bench::measure::report::Report;
use crate::tools::stack::Balancer;

/// The short table `rinha bench` prints.
pub fn run(report: &Report) -> String {
    let mut out = format!(
        "{}: {} requests in {:.0} s ({:.0}/s); failed checks {}; inconsistencies {}\n\
         latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms\n",
        report.scenario,
        report.requests,
        report.seconds,
        report.requests_per_second,
        report.checks_failed,
        report.inconsistencies,
        report.p50_ms,
        report.p99_ms,
        report.max_ms
    );
    if let Some(p) = &report.payments {
        out += &format!(
            "score {:.0} (net of fees {:.0}); p99 {:.2} ms; inconsistencies {}; lag {}; \
             {} accepted, {} failed; paid {} through default ({:.1} %), {} through fallback\n",
            p.score,
            p.net,
            p.p99_ms,
            p.inconsistencies,
            p.lag,
            p.accepted,
            p.failed,
            p.paid_default,
            p.default_share(),
            p.paid_fallback
        );
    }
    out += &format!(
        "{:<9} {:>6} {:>9} {:>10} {:>12} {:>14} {:>4} {:>8} {:>17} {:>11}\n",
        "service",
        "quota",
        "CPU-s",
        format!("ms/{}", report.unit),
        "capacity/s",
        "peak/limit MB",
        "OOM",
        "restarts",
        "throttled/periods",
        "throttled s"
    );
    let opt = |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
    for s in &report.services {
        out += &format!(
            "{:<9} {:>6.2} {:>9} {:>10} {:>12} {:>8}/{:<5} {:>4} {:>8} {:>17} {:>11}\n",
            s.name,
            s.cpu_quota,
            opt(s.cpu_seconds, 2),
            opt(s.cpu_ms_per_request, 4),
            opt(s.capacity_per_second, 0),
            opt(s.peak_memory_mb, 1),
            s.memory_limit_mb,
            s.oom_kills.map_or("-".to_owned(), |n| n.to_string()),
            s.restarts,
            s.throttled_periods(),
            opt(s.throttling.map(|t| t.throttled_seconds), 2)
        );
    }
    out += &format!(
        "stack CPU per {}: {} ms\n",
        report.unit,
        opt(report.cpu_ms_per_request, 4)
    );
    match &report.envelope_capacity {
        Some((name, capacity)) => {
            out += &format!(
                "envelope capacity: {capacity:.0} {}s/s (limited by {name})",
                report.unit
            )
        }
        None => out += "envelope capacity: unknown (no cgroup accounting)",
    }
    if let Some(machine) = &report.machine {
        out += &format!("\n{}", machine.sentence());
    }
    if let Some(served) = &report.served {
        out += &format!("\n{}", served.sentence());
    }
    if let Some(floor) = &report.floor {
        out += &format!("\n{}", floor_beside(report, floor));
    }
    out
}

/// What `rinha bench --floor-only` prints.
pub fn floor(floor: &Floor, scenario: &str) -> String {
    let mut out = format!(
        "floor {scenario}: {} requests in {:.0} s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        floor.requests, floor.seconds, floor.p50_ms, floor.p99_ms, floor.max_ms
    );
    if let Some(ms) = floor.nginx_cpu_ms_per_request {
        out += &format!("\nNGINX spent {ms:.3} ms of CPU per request");
    }
    if let (Some(steal), Some(busy)) = (floor.steal_percent, floor.busy_percent) {
        out += &format!(
            "\nthe machine: {steal:.1} % of its time stolen by the hypervisor, {busy:.1} % busy"
        );
    }
    out
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
    // What stands on the port, whichever balancer it is.
    let front = report
        .services
        .iter()
        .find(|s| Balancer::ALL.iter().any(|b| b.service() == s.name));
    let front_ms = front
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
            "balancer CPU ms per request",
            floor.nginx_cpu_ms_per_request,
            front_ms,
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
pub fn floor_beside(report: &Report, floor: &Floor) -> String {
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
    fn the_floor_alone_is_what_k6_saw_with_nginx_cpu_per_request_and_the_machine() {
        let floor = Floor {
            requests: 10_000,
            ..floor()
        };

        assert_eq!(
            super::floor(&floor, "preview"),
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
        let nginx = of("balancer CPU ms per request");
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

        let table = floor_beside(&run.report, &floor());

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
