//! A run's report page, as self-contained HTML (see `html`). It has its
//! headline figures at the top (the table `rinha bench` prints, with the floor beside the
//! stack when it was played), links to k6's dashboard and the JSON files, then its charts,
//! all on the test's time axis.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::Timeline;
use super::entry::{PAGE, REPORT};
use super::html::{STYLE, css, fixed, optional};
use super::plots::Chart;
use super::table;
use crate::tools::bench::measure::floor::Floor;
use crate::tools::bench::measure::k6::{DASHBOARD, SUMMARY};
use crate::tools::bench::measure::record::Run;
use crate::tools::bench::measure::report::Report;

/// The run's page.
pub fn run(run: &Run) -> String {
    let info = &run.info;
    let title = format!("rinha {} {}, {}", info.edition, info.scenario, info.date);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "rinha " (info.edition) " · " (info.scenario) }
                p.meta {
                    (info.date) " · commit " code { (info.commit) } " · "
                    a href={ "../" (PAGE) } { "all runs" }
                }
                p class=(if run.verdict.passed { "pass" } else { "fail" }) {
                    (if run.verdict.passed { "Passed: " } else { "Failed: " }) (run.verdict.text)
                }
                @let timeline = Timeline::of(run);
                @let events: Vec<_> = timeline.events().collect();
                @if !events.is_empty() {
                    p.events {
                        "What happened to the stack (red lines on the charts): "
                        @for (i, (t, what)) in events.iter().enumerate() {
                            @if i > 0 { "; " }
                            (what) " at " (fixed(*t, 1)) " s"
                        }
                        "."
                    }
                }
                (headline(run))
                p.links {
                    "k6's own reports: "
                    @if run.dashboard { a href=(DASHBOARD) { "dashboard" } " · " }
                    a href=(SUMMARY) { "summary (JSON)" } " · what this page shows: "
                    a href=(REPORT) { "report.json" }
                }
                @for section in &timeline.sections() {
                    h2 { (section.title) }
                    @if let Some(note) = &section.note { p.note { (note) } }
                    div class=(if section.columns == 2 { "grid" } else { "rows" }) {
                        @for chart in &section.charts { (figure(chart)) }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn headline(run: &Run) -> Markup {
    let r = &run.report;
    html! {
        table {
            tr {
                th { "requests" } th { "seconds" } th { "requests/s" } th { "failed checks" }
                th { "inconsistencies" } th { "p50 ms" } th { "p99 ms" } th { "max ms" }
            }
            tr {
                td { (r.requests) } td { (fixed(r.seconds, 0)) }
                td { (fixed(r.requests_per_second, 0)) } td { (r.checks_failed) }
                td { (r.inconsistencies) } td { (fixed(r.p50_ms, 2)) }
                td { (fixed(r.p99_ms, 2)) } td { (fixed(r.max_ms, 2)) }
            }
        }
        @if let Some(p) = &r.payments {
            table {
                tr {
                    th { "score" } th { "net of fees" } th { "p99 ms (scored)" } th { "lag" }
                    th { "accepted" } th { "failed POSTs" } th { "paid through default" }
                    th { "paid through fallback" }
                }
                tr {
                    td { (fixed(p.score, 0)) } td { (fixed(p.net, 0)) } td { (fixed(p.p99_ms, 2)) }
                    td { (p.lag) } td { (p.accepted) } td { (p.failed) }
                    td { (p.paid_default) " (" (fixed(p.default_share(), 1)) " %)" }
                    td { (p.paid_fallback) }
                }
            }
        }
        table {
            tr {
                th { "service" } th { "CPU quota" } th { "CPU-s" } th { "ms/" (r.unit) }
                th { "capacity/s" } th { "peak / limit MB" } th { "OOM kills" } th { "restarts" }
                th { "throttled / periods" } th { "throttled s" }
            }
            @for s in &r.services {
                tr {
                    td { (s.name) } td { (fixed(s.cpu_quota, 2)) }
                    td { (optional(s.cpu_seconds, 2)) } td { (optional(s.cpu_ms_per_request, 4)) }
                    td { (optional(s.capacity_per_second, 0)) }
                    td { (optional(s.peak_memory_mb, 1)) " / " (s.memory_limit_mb) }
                    td { (s.oom_kills.map_or("-".to_owned(), |n| n.to_string())) }
                    td { (s.restarts) }
                    td { (s.throttled_periods()) }
                    td { (optional(s.throttling.map(|t| t.throttled_seconds), 2)) }
                }
            }
        }
        p {
            "Stack CPU per " (r.unit) ": " (optional(r.cpu_ms_per_request, 4)) " ms; envelope capacity: "
            @match &r.envelope_capacity {
                Some((name, capacity)) => {
                    (fixed(*capacity, 0)) " " (r.unit) "s/s (limited by " (name) ")."
                }
                None => "unknown (no cgroup accounting).",
            }
        }
        @if let Some(machine) = &r.machine {
            p { "Measured under " (machine.sentence()) "." }
        }
        @if let Some(served) = &r.served {
            p { "Latency " (served.sentence()) "." }
        }
        @if let Some(floor) = &r.floor {
            (beside_the_floor(r, floor))
        }
    }
}

/// The floor's figures beside the stack's, and what the stack adds.
fn beside_the_floor(report: &Report, floor: &Floor) -> Markup {
    html! {
        h2 { "Beside the machine's floor" }
        p.note {
            "The floor: the same scenario played just before against NGINX alone, answering \
             every request from memory with nothing behind it and no envelope. No backend \
             can do better on this machine at this hour; what the stack adds is its own."
        }
        table {
            tr { th { "" } th { "floor" } th { "stack" } th { "the stack adds" } }
            @for line in table::beside(report, floor) {
                tr {
                    td { (line.what) }
                    td { (optional(line.floor, line.digits)) }
                    td { (optional(line.stack, line.digits)) }
                    td { @if let Some(added) = line.added { (format!("{added:+.2}")) } }
                }
            }
        }
        p { strong { (capitalized(&table::sentence(report, floor))) "." } }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A chart with its legend under it; a note where it has nothing to draw.
fn figure(chart: &Chart) -> Markup {
    let svg = chart.svg();
    html! {
        figure {
            @match svg {
                Ok(svg) => (PreEscaped(svg)),
                Err(e) => p.note { (chart.title) ": cannot draw (" (e) ")" },
            }
            figcaption {
                @for s in &chart.series {
                    span.key {
                        span class=(if s.dashed { "swatch dashed" } else { "swatch" })
                            style={ "border-color:" (css(s.color)) } {}
                        (s.name)
                    }
                }
                @for b in &chart.bands {
                    span.key {
                        span.swatch.band style={ "background:" (css(b.color)) } {}
                        (b.name)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::bench::measure::fixtures::{bank_run, payments_run, preview_run};
    use crate::tools::bench::publish::html::assert_self_contained;

    #[test]
    fn a_page_holds_every_chart_its_legends_and_the_links_to_k6s_reports() {
        let run = payments_run();

        let html = super::run(&run);

        let sections = Timeline::of(&run).sections();
        let charts: Vec<&Chart> = sections.iter().flat_map(|s| &s.charts).collect();
        assert_eq!(html.matches("<svg").count(), charts.len());
        for chart in charts {
            assert!(
                html.contains(&format!("\n{}\n</text>", chart.title)),
                "{}",
                chart.title
            );
        }
        assert!(html.contains("default failing"));
        assert!(html.contains("api1 killed (--fault) at 33.5 s."));
        assert!(html.contains(r#"<a href="k6.html">dashboard</a>"#));
        assert!(html.contains(r#"<a href="../index.html">all runs</a>"#));
        assert!(html.contains(
            "Measured under the machine: 2 cores, 3.5 % of their time stolen by the hypervisor"
        ));
        assert!(html.contains(
            "Latency inside the instances (their own histograms, every route): 12000 requests, \
             p50 0.42 ms, p99 2.75 ms;"
        ));
        assert!(
            html.contains("<td>6/600</td><td>0.24</td>"),
            "each service's throttling"
        );
        assert!(html.contains("<td>p99 ms</td><td>1.50</td><td>4.50</td><td>+3.00</td>"));
        assert!(
            html.contains("<strong>The stack adds 3.00 ms of p99 to the machine's floor (1.50 ms")
        );
        assert_self_contained(&html);
    }

    #[test]
    fn the_pages_of_real_runs_are_self_contained() {
        let preview = super::run(&preview_run());
        let bank = super::run(&bank_run());

        assert!(preview.contains("api1 killed (--fault) at 33.8 s; api1 started again at 33.9 s."));
        assert!(bank.contains("Passed: ledger audit: 5 accounts"));
        assert!(
            !bank.contains("Measured under"),
            "a run kept before the machine was read says nothing of it"
        );
        assert!(
            !bank.contains("k6.html"),
            "no link to a dashboard k6 did not export"
        );
        assert!(
            !bank.contains("floor"),
            "a run played without the floor says nothing of it"
        );
        assert_self_contained(&preview);
        assert_self_contained(&bank);
    }
}
