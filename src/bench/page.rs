//! A run's report page and the archive's index, as self-contained HTML: the style inline,
//! the charts inline SVG, nothing fetched when a page is opened. A run's page has its
//! headline figures at the top (the table `rinha bench` prints), links to k6's dashboard
//! and the JSON files, then its charts, all on the test's time axis.

use std::ops::Range;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use plotters::style::RGBColor;

use super::archive::{DASHBOARD, Entry, PAGE, REPORT, Run, SUMMARY};
use super::payments::Stage;
use super::plots::{BLUE, Band, Chart, GREEN, GREY, ORANGE, PURPLE, RED, Series};
use super::sampler::{InstanceMetrics, PROCESSORS, Reading};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;\
max-width:1140px;margin:0 auto;padding:12px 20px 40px}\
h1{font-size:1.45em;margin:.3em 0}\
h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums}\
th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #eee;white-space:nowrap}\
th{font-weight:600;background:#f6f6f6}\
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
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 18px}";

/// A colour to each service, the same on every chart.
const SERVICE_COLORS: [RGBColor; 5] = [BLUE, ORANGE, GREEN, PURPLE, RED];
/// Default and fallback, on every 2025 chart.
const PROCESSOR_COLORS: [RGBColor; 2] = [BLUE, ORANGE];
/// The processors' failing stretches.
const FAILING_COLORS: [RGBColor; 2] = [RED, PURPLE];
const WIDE: (u32, u32) = (1100, 260);
const HALF: (u32, u32) = (545, 230);

/// A titled group of charts, one or two to a row.
struct Section {
    title: &'static str,
    note: Option<String>,
    columns: u8,
    charts: Vec<Chart>,
}

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
            body {
                h1 { "rinha: the runs" }
                p.meta {
                    "Every run of " code { "rinha bench" } " published here, newest first; each \
                     links to its page of charts. CPU is the whole stack's, per request \
                     (2024q1) or per accepted payment (2025)."
                }
                table {
                    tr {
                        th { "date (UTC)" } th { "commit" } th { "edition" } th { "scenario" }
                        th { "verdict" } th { "requests" } th { "req/s" } th { "p50 ms" }
                        th { "p99 ms" } th { "failed checks" } th { "inconsistencies" }
                        th { "CPU ms" } th { "score" }
                    }
                    @for e in entries {
                        tr {
                            td { a href={ (e.info.id) "/" (PAGE) } { (e.info.date.replace('T', " ")) } }
                            td { code { (e.info.commit) } }
                            td { (e.info.edition) }
                            td { (e.info.scenario) }
                            td class=(if e.passed { "pass" } else { "fail" }) {
                                (if e.passed { "passed" } else { "failed" })
                            }
                            td { (e.requests) }
                            td { (fixed(e.requests_per_second, 0)) }
                            td { (fixed(e.p50_ms, 2)) }
                            td { (fixed(e.p99_ms, 2)) }
                            td { (e.checks_failed) }
                            td { (e.inconsistencies) }
                            td { (optional(e.cpu_ms, 4)) " /" (e.unit) }
                            td { (optional(e.score, 0)) }
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
            }
            @for s in &r.services {
                tr {
                    td { (s.name) } td { (fixed(s.cpu_quota, 2)) }
                    td { (optional(s.cpu_seconds, 2)) } td { (optional(s.cpu_ms_per_request, 4)) }
                    td { (optional(s.capacity_per_second, 0)) }
                    td { (optional(s.peak_memory_mb, 1)) " / " (s.memory_limit_mb) }
                    td { (s.oom_kills.map_or("-".to_owned(), |n| n.to_string())) }
                    td { (s.restarts) }
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
    }
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

/// An API instance's metrics over time.
struct Instance<'a> {
    name: &'a str,
    color: RGBColor,
    points: Vec<(f64, &'a InstanceMetrics)>,
}

/// The run's series on one time axis: seconds since the start of the k6 test.
struct Timeline<'a> {
    run: &'a Run,
    origin_ms: u64,
    x: Range<f64>,
}

impl<'a> Timeline<'a> {
    fn of(run: &'a Run) -> Self {
        let ticks = &run.recording.ticks;
        let origin_ms = match run.requests.started_unix_ms {
            0 => ticks.first().map_or(0, |t| t.unix_ms),
            ms => ms,
        };
        let at = |ms: u64| (ms as f64 - origin_ms as f64) / 1000.0;
        let seconds = run.requests.seconds.iter().map(|s| s.at as f64);
        let instants = ticks.iter().map(|t| at(t.unix_ms)).chain(seconds);
        let (start, end) =
            instants.fold((0.0, 1.0), |(lo, hi): (f64, f64), t| (lo.min(t), hi.max(t)));
        Self {
            run,
            origin_ms,
            x: start..end,
        }
    }

    fn at(&self, unix_ms: u64) -> f64 {
        (unix_ms as f64 - self.origin_ms as f64) / 1000.0
    }

    fn chart(&self, title: impl Into<String>, unit: &str, size: (u32, u32)) -> Chart {
        let mut chart = Chart::new(title, unit, self.x.clone());
        chart.size = size;
        chart.marks = self.events().map(|(t, _)| (t, RED)).collect();
        chart
    }

    /// What happened to the stack, with its instant.
    fn events(&self) -> impl Iterator<Item = (f64, &'a str)> + '_ {
        let events = &self.run.recording.events;
        events.iter().map(|e| (self.at(e.unix_ms), e.what.as_str()))
    }

    /// Each service's readings with their instants, for service `index`.
    fn readings(&self, index: usize) -> impl Iterator<Item = (f64, &'a Reading)> + '_ {
        self.run
            .recording
            .ticks
            .iter()
            .filter_map(move |t| Some((self.at(t.unix_ms), t.readings.get(index)?)))
    }

    fn sections(&self) -> Vec<Section> {
        let mut sections = vec![self.requests(), self.services()];
        sections.extend(self.pool());
        sections.extend(self.payments());
        sections
    }

    fn requests(&self) -> Section {
        let seconds = &self.run.requests.seconds;
        let points = |f: fn(&super::requests::Second) -> f64| {
            seconds.iter().map(|s| (s.at as f64, f(s))).collect()
        };
        let mut rate = self.chart("Requests per second", "requests/s", WIDE);
        rate.series = vec![Series::line(
            "requests",
            BLUE,
            points(|s| s.requests as f64),
        )];
        let mut latency = self.chart("Latency per second (log scale)", "ms", WIDE);
        latency.log_y = true;
        latency.series = vec![
            Series::line("p50", BLUE, points(|s| s.p50_ms)),
            Series::line("p99", ORANGE, points(|s| s.p99_ms)),
        ];
        Section {
            title: "Requests, as k6 saw them",
            note: seconds
                .is_empty()
                .then(|| "k6 wrote no time series for this run.".to_owned()),
            columns: 1,
            charts: vec![rate, latency],
        }
    }

    fn services(&self) -> Section {
        let mut charts = Vec::new();
        for (index, service) in self.run.recording.services.iter().enumerate() {
            let color = SERVICE_COLORS[index % SERVICE_COLORS.len()];
            let series = |f: fn(&Reading) -> Option<f64>| {
                self.readings(index)
                    .filter_map(|(t, r)| Some((t, f(r)?)))
                    .collect::<Vec<_>>()
            };
            let title = format!(
                "{}: CPU, share of {:.2} CPU",
                service.name, service.cpu_quota
            );
            let mut cpu = self.chart(title, "% of quota", HALF);
            cpu.series = vec![
                Series::line(
                    &service.name,
                    color,
                    series(|r| r.cpu_share.map(|s| s * 100.0)),
                ),
                Series::limit("quota", 100.0, &self.x),
            ];
            let title = format!("{}: memory", service.name);
            let mut memory = self.chart(title, "MB", HALF);
            memory.series = vec![
                Series::line(&service.name, color, series(|r| r.memory_mb)),
                Series::limit("limit", service.memory_limit_mb as f64, &self.x),
            ];
            charts.extend([cpu, memory]);
        }
        let measured = charts.iter().any(Chart::has_data);
        Section {
            title: "Each service against its envelope (cgroup, once a second)",
            note: (!measured).then(|| "No cgroup accounting: the stack ran unlimited.".into()),
            columns: 2,
            charts: if measured { charts } else { Vec::new() },
        }
    }

    /// The API instances that served their metrics.
    fn instances(&self) -> Vec<Instance<'a>> {
        let services = &self.run.recording.services;
        (0..services.len())
            .filter_map(|index| {
                let points: Vec<_> = self
                    .readings(index)
                    .filter_map(|(t, r)| Some((t, r.metrics.as_ref()?)))
                    .collect();
                let color = SERVICE_COLORS[index % SERVICE_COLORS.len()];
                (!points.is_empty()).then_some(Instance {
                    name: &services[index].name,
                    color,
                    points,
                })
            })
            .collect()
    }

    fn pool(&self) -> Option<Section> {
        let instances = self.instances();
        let size = instances.first()?.points.first()?.1.pool_size;
        let per_instance = |f: fn(&InstanceMetrics) -> f64| {
            instances
                .iter()
                .map(|i| {
                    let points = i.points.iter().map(|(t, m)| (*t, f(m))).collect();
                    Series::line(i.name, i.color, points)
                })
                .collect::<Vec<_>>()
        };
        let mut in_use = self.chart("PostgreSQL connections in use", "connections", HALF);
        in_use.series = per_instance(|m| m.pool_in_use);
        in_use
            .series
            .push(Series::limit("pool size", size, &self.x));
        let mut waiting = self.chart("Requests waiting for a connection", "requests", HALF);
        waiting.series = per_instance(|m| m.pool_waiting);
        Some(Section {
            title: "The instances' PostgreSQL pools (their /metrics)",
            note: None,
            columns: 2,
            charts: vec![in_use, waiting],
        })
    }

    fn payments(&self) -> Option<Section> {
        let schedule = &self.run.schedule;
        if schedule.is_empty() && self.run.report.payments.is_none() {
            return None;
        }
        let flow = PaymentFlow::of(&self.instances());
        let bands: Vec<Band> = (0..2)
            .map(|p| Band {
                name: format!("{} failing", PROCESSORS[p]),
                color: FAILING_COLORS[p],
                spans: self.failing(p),
            })
            .collect();
        let marks: Vec<(f64, RGBColor)> = schedule.iter().map(|s| (s.at, GREY)).collect();
        let mut charts = Vec::new();
        let mut processors = self.chart(
            "The processors: their scheduled delay, and the delay the instances knew",
            "ms",
            WIDE,
        );
        for p in 0..2 {
            let name = PROCESSORS[p];
            processors.series.push(Series {
                dashed: true,
                ..Series::line(
                    format!("{name}: scheduled"),
                    PROCESSOR_COLORS[p],
                    self.delays(p),
                )
            });
            let known = flow.delay_ms[p].clone();
            processors.series.push(Series::line(
                format!("{name}: known"),
                PROCESSOR_COLORS[p],
                known,
            ));
        }
        charts.push(processors);
        let mut queue = self.chart("Queue: payments accepted, not yet paid", "payments", WIDE);
        queue.series = vec![Series::line("queue depth", GREEN, flow.queue)];
        charts.push(queue);
        let mut paid = self.chart(
            "Payments paid per second, per processor",
            "payments/s",
            WIDE,
        );
        let mut in_flight = self.chart("Payments in flight, per processor", "payments", WIDE);
        for (p, (rate, sending)) in flow.paid_rate.into_iter().zip(flow.in_flight).enumerate() {
            paid.series
                .push(Series::line(PROCESSORS[p], PROCESSOR_COLORS[p], rate));
            in_flight
                .series
                .push(Series::line(PROCESSORS[p], PROCESSOR_COLORS[p], sending));
        }
        charts.extend([paid, in_flight]);
        for chart in &mut charts {
            chart.bands = bands.clone();
            chart.marks.extend(marks.iter().copied());
        }
        let note = if !charts[1].has_data() {
            Some("The instances served no payment metrics: only the schedule is drawn.")
        } else if !self.run.recording.events.is_empty() {
            Some(
                "The queue is the instances' accepted minus paid counters: what an instance \
                 counted after its last scrape died with it, so after a red line the queue \
                 is off by that much (about a second of its payments).",
            )
        } else {
            None
        };
        Some(Section {
            title: "Payments and the processors' schedule",
            note: note.map(str::to_owned),
            columns: 1,
            charts: charts.into_iter().filter(Chart::has_data).collect(),
        })
    }

    /// Where each stage of the schedule ends: the next one's start, or the end of the axis.
    fn stages(&self) -> impl Iterator<Item = (&'a Stage, f64)> + '_ {
        let schedule = &self.run.schedule;
        schedule.iter().enumerate().map(move |(i, stage)| {
            let end = schedule.get(i + 1).map_or(self.x.end, |next| next.at);
            (stage, end.max(stage.at))
        })
    }

    fn failing(&self, processor: usize) -> Vec<Range<f64>> {
        self.stages()
            .filter(|(stage, _)| stage.settings()[processor].failing)
            .map(|(stage, end)| stage.at..end)
            .collect()
    }

    /// The scheduled delay as a step line.
    fn delays(&self, processor: usize) -> Vec<(f64, f64)> {
        self.stages()
            .flat_map(|(stage, end)| {
                let delay = stage.settings()[processor].delay_ms;
                [(stage.at, delay), (end, delay)]
            })
            .collect()
    }
}

/// The 2025 series drawn from the instances' counters and gauges, summed over instances.
#[derive(Debug, Default, PartialEq)]
struct PaymentFlow {
    /// Accepted minus paid, over every instance.
    queue: Vec<(f64, f64)>,
    /// Per processor.
    paid_rate: [Vec<(f64, f64)>; 2],
    in_flight: [Vec<(f64, f64)>; 2],
    /// The instances' mean of the processor's delay as their routers last knew it.
    delay_ms: [Vec<(f64, f64)>; 2],
}

/// One instance's counters made monotonic across its restarts: a value below the previous
/// one means the counter started again from zero.
#[derive(Debug, Clone, Copy, Default)]
struct Counter {
    last: f64,
    offset: f64,
}

impl Counter {
    fn read(&mut self, value: f64) -> f64 {
        if value < self.last {
            self.offset += self.last;
        }
        self.last = value;
        value + self.offset
    }
}

impl PaymentFlow {
    fn of(instances: &[Instance]) -> Self {
        // Every instant at which some instance answered, in order.
        let mut instants: Vec<f64> = instances
            .iter()
            .flat_map(|i| i.points.iter().map(|(t, _)| *t))
            .collect();
        instants.sort_by(f64::total_cmp);
        instants.dedup();
        let mut flow = Self::default();
        // Per instance: accepted, paid default, paid fallback, and their last totals.
        let mut counters = vec![[Counter::default(); 3]; instances.len()];
        let mut totals = vec![None::<[f64; 3]>; instances.len()];
        let mut previous: Option<(f64, [f64; 2])> = None;
        for t in instants {
            let mut in_flight = [0.0; 2];
            let mut delays: [Vec<f64>; 2] = Default::default();
            for (i, instance) in instances.iter().enumerate() {
                let at = instance.points.iter().find(|(at, _)| *at == t);
                let Some(m) = at.and_then(|(_, m)| m.payments.as_ref()) else {
                    continue;
                };
                let [accepted, default, fallback] = &mut counters[i];
                totals[i] = Some([
                    accepted.read(m.accepted),
                    default.read(m.paid[0]),
                    fallback.read(m.paid[1]),
                ]);
                for p in 0..2 {
                    in_flight[p] += m.in_flight[p];
                    delays[p].extend(m.response_seconds[p].map(|s| s * 1000.0));
                }
            }
            let counted: Vec<[f64; 3]> = totals.iter().flatten().copied().collect();
            if counted.is_empty() {
                continue;
            }
            let sum = |k: usize| counted.iter().map(|c| c[k]).sum::<f64>();
            let paid = [sum(1), sum(2)];
            flow.queue.push((t, sum(0) - paid[0] - paid[1]));
            for p in 0..2 {
                flow.in_flight[p].push((t, in_flight[p]));
                if !delays[p].is_empty() {
                    let mean = delays[p].iter().sum::<f64>() / delays[p].len() as f64;
                    flow.delay_ms[p].push((t, mean));
                }
                if let Some((then, before)) = previous
                    && t > then
                {
                    flow.paid_rate[p].push((t, (paid[p] - before[p]) / (t - then)));
                }
            }
            previous = Some((t, paid));
        }
        flow
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::archive::{RunInfo, Verdict};
    use crate::bench::payments::Setting;
    use crate::bench::plots::lines;
    use crate::bench::report::{PaymentsOutcome, Report, ServiceUsage};
    use crate::bench::requests::{Requests, Second};
    use crate::bench::sampler::{Event, Recording, ServiceInfo, Tick};

    const START_MS: u64 = 1_750_000_000_000;
    const SECONDS: u64 = 60;

    /// An instance's `/metrics` at second `t` of a 2025 run: payments accepted at 100/s,
    /// paid a second later, through fallback while default fails (20 s to 30 s).
    fn scrape(t: u64) -> String {
        let accepted = 100 * t;
        let (default, fallback) = match t {
            0..=20 => (100 * t.saturating_sub(1), 0),
            21..=30 => (1900, 100 * (t - 21)),
            _ => (1900 + 100 * (t - 31), 900),
        };
        format!(
            "# TYPE rinha_db_pool_size gauge\nrinha_db_pool_size 8\n\
             # TYPE rinha_db_pool_in_use gauge\nrinha_db_pool_in_use {}\n\
             # TYPE rinha_db_pool_waiting gauge\nrinha_db_pool_waiting {}\n\
             # TYPE rinha_payments_accepted counter\nrinha_payments_accepted_total {accepted}\n\
             # TYPE rinha_payments_paid counter\n\
             rinha_payments_paid_total{{processor=\"default\"}} {default}\n\
             rinha_payments_paid_total{{processor=\"fallback\"}} {fallback}\n\
             # TYPE rinha_payments_in_flight gauge\n\
             rinha_payments_in_flight{{processor=\"default\"}} {}\n\
             rinha_payments_in_flight{{processor=\"fallback\"}} 3\n\
             # TYPE rinha_processor_response_seconds gauge\n\
             rinha_processor_response_seconds{{processor=\"default\"}} 0.1\n\
             rinha_processor_response_seconds{{processor=\"fallback\"}} 0.02\n# EOF\n",
            t % 8,
            t % 3,
            t % 40,
        )
    }

    fn service(name: &str, cpu_quota: f64, memory_limit_mb: u64) -> ServiceUsage {
        ServiceUsage {
            name: name.into(),
            cpu_quota,
            memory_limit_mb,
            cpu_seconds: Some(cpu_quota * 30.0),
            peak_memory_mb: Some(memory_limit_mb as f64 / 3.0),
            cpu_ms_per_request: Some(0.05),
            capacity_per_second: Some(cpu_quota / 0.00005),
            oom_kills: Some(0),
            restarts: 0,
        }
    }

    /// A 2025 preview run as the sampler, k6's CSV and the summary would have it.
    fn payments_run() -> Run {
        let services = [
            service("postgres", 0.5, 200),
            service("api1", 0.4, 50),
            service("api2", 0.4, 50),
            service("nginx", 0.2, 50),
        ];
        let ticks = (0..=SECONDS)
            .map(|t| Tick {
                unix_ms: START_MS + 1000 * t,
                readings: services
                    .iter()
                    .map(|s| Reading {
                        cpu_share: (t > 0).then(|| (t % 10) as f64 / 10.0),
                        memory_mb: Some(s.memory_limit_mb as f64 / 4.0 + t as f64 / 10.0),
                        metrics: s
                            .name
                            .starts_with("api")
                            .then(|| InstanceMetrics::parse(&scrape(t)).unwrap()),
                    })
                    .collect(),
            })
            .collect();
        let setting = |delay_ms, failing| Setting { delay_ms, failing };
        let stage = |at, default, fallback| Stage {
            at,
            default,
            fallback,
        };
        Run {
            info: RunInfo {
                id: "2025-07-01-120000-2025-preview".into(),
                date: "2025-07-01T12:00:00Z".into(),
                commit: "abc1234".into(),
                edition: "2025".into(),
                scenario: "preview".into(),
            },
            verdict: Verdict {
                passed: true,
                text: "every accepted payment paid exactly once".into(),
            },
            dashboard: true,
            report: Report {
                scenario: "preview".into(),
                seconds: 60.0,
                requests: 12_000,
                requests_per_second: 200.0,
                checks_failed: 0,
                inconsistencies: 0,
                p50_ms: 1.2,
                p99_ms: 4.5,
                max_ms: 30.0,
                cpu_ms_per_request: Some(0.2),
                envelope_capacity: Some(("api1".into(), 8000.0)),
                services: services.to_vec(),
                unit: "payment".into(),
                payments: Some(PaymentsOutcome {
                    accepted: 12_000,
                    failed: 0,
                    paid_default: 10_000,
                    paid_fallback: 2_000,
                    lag: 0,
                    inconsistencies: 0,
                    p99_ms: 4.5,
                    net: 200_000.0,
                    score: 210_000.0,
                }),
            },
            requests: Requests {
                started_unix_ms: START_MS,
                seconds: (0..SECONDS as i64)
                    .map(|at| Second {
                        at,
                        requests: 200,
                        p50_ms: 1.0 + (at % 5) as f64 / 10.0,
                        p99_ms: 4.0 + (at % 7) as f64,
                    })
                    .collect(),
            },
            recording: Recording {
                services: services
                    .iter()
                    .map(|s| ServiceInfo {
                        name: s.name.clone(),
                        cpu_quota: s.cpu_quota,
                        memory_limit_mb: s.memory_limit_mb,
                    })
                    .collect(),
                ticks,
                events: vec![Event {
                    unix_ms: START_MS + 33_500,
                    what: "api1 killed (--fault)".into(),
                }],
            },
            schedule: vec![
                stage(1.0, setting(0.0, false), setting(0.0, false)),
                stage(20.0, setting(100.0, true), setting(0.0, false)),
                stage(30.0, setting(2000.0, true), setting(1000.0, true)),
                stage(40.0, setting(20.0, false), setting(20.0, false)),
            ],
        }
    }

    /// Every chart is drawn, and each of its lines with data is a polyline of its points.
    fn assert_every_series_is_drawn(sections: &[Section]) {
        for chart in sections.iter().flat_map(|s| &s.charts) {
            let svg = chart.svg().unwrap();
            for series in chart.series.iter().filter(|s| !s.points.is_empty()) {
                let drawn = lines(&svg, series.color);
                let points: usize = drawn.iter().sum();
                assert!(
                    points >= 2,
                    "{}: {} is not drawn ({drawn:?})",
                    chart.title,
                    series.name
                );
            }
        }
    }

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
    fn a_2025_page_holds_every_chart_with_data_in_it() {
        let run = payments_run();

        let sections = Timeline::of(&run).sections();
        let html = super::run(&run);

        let titles: Vec<&str> = sections
            .iter()
            .flat_map(|s| s.charts.iter().map(|c| c.title.as_str()))
            .collect();
        assert_eq!(titles.len(), 2 + 2 * 4 + 2 + 4, "{titles:?}");
        assert_every_series_is_drawn(&sections);
        for title in titles {
            assert!(html.contains(&format!("\n{title}\n</text>")), "{title}");
        }
        assert_eq!(html.matches("<svg").count(), 16);
        assert!(html.contains("default failing"));
        assert!(html.contains("api1 killed (--fault) at 33.5 s."));
        assert!(html.contains(r#"<a href="k6.html">"#));
        assert_self_contained(&html);
    }

    fn recorded(json: &[u8]) -> Run {
        simd_json::serde::from_slice(&mut json.to_vec()).expect("a report.json")
    }

    /// The report.json of a real `rinha bench stress` (DURATION=10s), before the instances
    /// served metrics.
    fn bank_run() -> Run {
        recorded(include_bytes!("../../tests/data/2024q1-stress-report.json"))
    }

    /// The report.json of a real `rinha bench --edition 2025 preview --fault api1@35s`.
    fn preview_run() -> Run {
        recorded(include_bytes!("../../tests/data/2025-preview-report.json"))
    }

    #[test]
    fn a_page_of_a_real_2025_run_holds_every_chart_with_data_in_it() {
        let run = preview_run();

        let timeline = Timeline::of(&run);
        let sections = timeline.sections();
        let html = super::run(&run);

        let charts: usize = sections.iter().map(|s| s.charts.len()).sum();
        assert_eq!(charts, 2 + 2 * 4 + 2 + 4);
        assert_every_series_is_drawn(&sections);
        assert!(html.contains("api1 killed (--fault) at 33.8 s; api1 started again at 33.9 s."));
        assert!(html.contains(r#"<a href="k6.html">dashboard</a>"#));
        assert_self_contained(&html);
        let flow = PaymentFlow::of(&timeline.instances());
        let deepest = flow.queue.iter().map(|(_, q)| *q).fold(0.0, f64::max);
        assert!(
            deepest > 1000.0,
            "both processors failed for 10 s: {deepest}"
        );
        // Drained, but for what api1 counted in its last second: it died with those counts.
        let left = flow.queue.last().map(|(_, q)| *q).unwrap();
        assert!(left.abs() < 300.0, "{left}");
        assert!(html.contains("died with it"));
    }

    #[test]
    fn a_bank_page_holds_every_chart_with_data_in_it() {
        let run = bank_run();

        let sections = Timeline::of(&run).sections();
        let html = super::run(&run);

        let charts: usize = sections.iter().map(|s| s.charts.len()).sum();
        assert_eq!(
            charts,
            2 + 2 * 4,
            "requests, then CPU and memory per service"
        );
        assert_every_series_is_drawn(&sections);
        assert!(
            !html.contains("k6.html"),
            "no link to a dashboard k6 did not export"
        );
        assert!(html.contains("Passed: ledger audit: 5 accounts"));
        assert_self_contained(&html);
    }

    #[test]
    fn the_queue_is_accepted_minus_paid_and_payments_are_counted_per_second() {
        let run = payments_run();
        let timeline = Timeline::of(&run);

        let flow = PaymentFlow::of(&timeline.instances());

        // Two instances: each accepted 100 per second and paid them a second later.
        assert_eq!(flow.queue[10], (10.0, 200.0));
        assert_eq!(flow.paid_rate[0][5], (6.0, 200.0));
        assert_eq!(flow.paid_rate[1][5], (6.0, 0.0));
        assert_eq!(flow.paid_rate[1][25], (26.0, 200.0));
        assert_eq!(flow.in_flight[1][0], (0.0, 6.0));
        assert_eq!(flow.delay_ms[0][0], (0.0, 100.0));
    }

    #[test]
    fn an_instance_that_starts_again_does_not_empty_the_queue() {
        let mut run = payments_run();
        // api1 dies at 30 s and its counters start again from zero.
        for tick in &mut run.recording.ticks[31..] {
            let t = (tick.unix_ms - START_MS) / 1000 - 31;
            tick.readings[1].metrics = InstanceMetrics::parse(&scrape(t));
        }
        let timeline = Timeline::of(&run);

        let flow = PaymentFlow::of(&timeline.instances());

        assert!(
            flow.queue.iter().all(|(_, q)| *q >= 0.0),
            "{:?}",
            flow.queue
        );
        assert!(flow.paid_rate[0].iter().all(|(_, r)| *r >= 0.0));
    }

    #[test]
    fn the_schedule_is_a_step_line_with_its_failing_stretches() {
        let run = payments_run();
        let timeline = Timeline::of(&run);

        assert_eq!(timeline.x, 0.0..60.0);
        assert_eq!(timeline.failing(0), [20.0..30.0, 30.0..40.0]);
        assert_eq!(timeline.failing(1), [30.0..40.0]);
        assert_eq!(
            timeline.delays(1),
            [
                (1.0, 0.0),
                (20.0, 0.0),
                (20.0, 0.0),
                (30.0, 0.0),
                (30.0, 1000.0),
                (40.0, 1000.0),
                (40.0, 20.0),
                (60.0, 20.0)
            ]
        );
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
        assert!(html.contains("<td>210000</td>"));
        assert_self_contained(&html);
    }
}
