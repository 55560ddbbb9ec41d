//! A run's report page and the archive's index, as self-contained HTML: the style inline,
//! the charts inline SVG, nothing fetched when a page is opened. A run's page has its
//! headline figures at the top (the table `rinha bench` prints, with the floor beside the
//! stack when it was played), links to k6's dashboard and the JSON files, then its charts,
//! all on the test's time axis.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use plotters::style::RGBColor;

use super::charts::Timeline;
use super::entry::{Entry, PAGE, REPORT};
use super::plots::Chart;
use crate::tools::bench::measure::floor::{self, Floor};
use crate::tools::bench::measure::k6::{DASHBOARD, SUMMARY};
use crate::tools::bench::measure::record::Run;
use crate::tools::bench::measure::report::Report;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;\
max-width:1140px;margin:0 auto;padding:12px 20px 40px}\
h1{font-size:1.45em;margin:.3em 0}\
h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums;\
display:block;overflow-x:auto;max-width:100%}\
th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}\
th{font-weight:600;background:#f6f6f6;white-space:normal;vertical-align:bottom}\
th:first-child,td:first-child{text-align:left}\
.meta,.links{color:#555}\
.pass{color:#1a7f37}\
.fail{color:#c62828;font-weight:600}\
.events{color:#b71c1c}\
.note{color:#666;font-style:italic}\
figure{margin:.4em 0 1em}\
figure svg{display:block;width:100%;height:auto}\
figcaption{font-size:.85em;color:#444;margin-left:64px}\
.key{margin-right:1.3em;white-space:nowrap}\
.swatch{display:inline-block;width:1.8em;border-top:3px solid;vertical-align:middle;margin-right:.4em}\
.dashed{border-top-style:dashed}\
.band{height:.9em;border-top:none;opacity:.3}\
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 18px}\
body.wide{max-width:1360px}\
.runs th,.runs td{padding:3px 6px}";

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

/// The archive's index: one line per run, newest first.
pub fn index(entries: &[Entry]) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "rinha: the runs" }
                style { (PreEscaped(STYLE)) }
            }
            body.wide {
                h1 { "rinha: the runs" }
                p.meta {
                    "Every run of " code { "rinha bench" } " published here, newest first; each \
                     links to its page of charts. The stack's CPU is per request (2024q1) or \
                     per accepted payment (2025); the score is the 2025 contest's; steal is the share \
                     of the machine's time its hypervisor gave to others during the run, which \
                     no figure of that run is free of. The floor is the same scenario played \
                     just before against NGINX alone (" code { "--floor" } "): the machine's \
                     own p99 at that hour, which no stack can beat."
                }
                table.runs {
                    tr {
                        th { "date (UTC)" } th { "commit" } th { "run" } th { "verdict" }
                        th { "requests" } th { "req/s" } th { "p50 ms" } th { "p99 ms" }
                        th { "failed checks / inconsistencies" }
                        th { "stack CPU ms" } th { "score" } th { "steal %" }
                        th { "floor p99 ms (steal %)" }
                    }
                    @for e in entries {
                        tr {
                            td { a href={ (e.info.id) "/" (PAGE) } { (e.info.date.replace('T', " ")) } }
                            td { code { (e.info.commit) } }
                            td { (e.info.edition) " " (e.info.scenario) }
                            td class=(if e.passed { "pass" } else { "fail" }) {
                                (if e.passed { "passed" } else { "failed" })
                            }
                            td { (e.requests) }
                            td { (fixed(e.requests_per_second, 0)) }
                            td { (fixed(e.p50_ms, 2)) }
                            td { (fixed(e.p99_ms, 2)) }
                            td { (e.checks_failed) " / " (e.inconsistencies) }
                            td { (optional(e.cpu_ms, 4)) }
                            td { (optional(e.score, 0)) }
                            td { (optional(e.steal_percent, 1)) }
                            td {
                                @if let Some(floor) = &e.floor {
                                    (fixed(floor.p99_ms, 2))
                                    @if let Some(steal) = floor.steal_percent {
                                        " (" (fixed(steal, 1)) ")"
                                    }
                                }
                            }
                        }
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
            @for line in floor::beside(report, floor) {
                tr {
                    td { (line.what) }
                    td { (optional(line.floor, line.digits)) }
                    td { (optional(line.stack, line.digits)) }
                    td { @if let Some(added) = line.added { (format!("{added:+.2}")) } }
                }
            }
        }
        p { strong { (capitalized(&floor::sentence(report, floor))) "." } }
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

fn css(RGBColor(r, g, b): RGBColor) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn fixed(v: f64, digits: usize) -> String {
    format!("{v:.digits$}")
}

fn optional(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".to_owned(), |v| fixed(v, digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::bench::measure::fixtures::{bank_run, payments_run, preview_run};

    /// Nothing the page would fetch: no script, no stylesheet, no image from elsewhere.
    fn assert_self_contained(html: &str) {
        for fetch in ["<script", "<link", "<img", "<iframe", "url(", "@import"] {
            assert!(!html.contains(fetch), "the page holds {fetch}");
        }
        for attribute in ["src=\"", "href=\""] {
            for (_, rest) in html.match_indices(attribute).map(|(i, _)| html.split_at(i)) {
                let value = &rest[attribute.len()..];
                assert!(
                    !value.starts_with("http"),
                    "{}",
                    &rest[..60.min(rest.len())]
                );
            }
        }
    }

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

    #[test]
    fn the_index_links_every_run_newest_first() {
        let mut older = payments_run();
        older.info.id = "2025-06-30-120000-2025-preview".into();
        older.verdict.passed = false;
        let entries: Vec<Entry> = [payments_run(), older].iter().map(Entry::of).collect();

        let html = index(&entries);

        let newest = html
            .find("2025-07-01-120000-2025-preview/index.html")
            .unwrap();
        let oldest = html
            .find("2025-06-30-120000-2025-preview/index.html")
            .unwrap();
        assert!(newest < oldest);
        assert!(html.contains(r#"<td class="fail">failed</td>"#));
        assert!(html.contains("<td>210000</td><td>3.5</td><td>1.50 (0.8)</td>"));
        assert_self_contained(&html);
    }
}
