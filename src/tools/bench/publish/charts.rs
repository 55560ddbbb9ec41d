//! The charts of a run's page, on one time axis (seconds since the start of the k6 test):
//! the requests as k6 saw them (and the floor's p99, when it was played), each service
//! against its envelope and its throttling, the instances' pools and, for 2025, the
//! payments and the processors' schedule.

use std::ops::Range;

use plotters::style::RGBColor;

use super::plots::{BLUE, Band, Chart, GREEN, GREY, ORANGE, PURPLE, RED, Series};
use crate::tools::bench::measure::machine::MachineUsage;
use crate::tools::bench::measure::payments::Stage;
use crate::tools::bench::measure::record::Run;
use crate::tools::bench::measure::sampler::{InstanceMetrics, PROCESSORS, Reading, ServiceInfo};

/// A colour to each service, the same on every chart.
const SERVICE_COLORS: [RGBColor; 5] = [BLUE, ORANGE, GREEN, PURPLE, RED];
/// Default and fallback, on every 2025 chart.
const PROCESSOR_COLORS: [RGBColor; 2] = [BLUE, ORANGE];
/// The processors' failing stretches.
const FAILING_COLORS: [RGBColor; 2] = [RED, PURPLE];
/// The least top of the throttling charts' axis, in ms per second.
const THROTTLED_TOP_MS: f64 = 10.0;
const WIDE: (u32, u32) = (1100, 260);
const HALF: (u32, u32) = (545, 230);

/// A titled group of charts, one or two to a row.
pub struct Section {
    pub title: &'static str,
    pub note: Option<String>,
    pub columns: u8,
    pub charts: Vec<Chart>,
}

/// An API instance's metrics over time.
struct Instance<'a> {
    name: &'a str,
    color: RGBColor,
    points: Vec<(f64, &'a InstanceMetrics)>,
}

/// The run's series on one time axis: seconds since the start of the k6 test.
pub struct Timeline<'a> {
    run: &'a Run,
    origin_ms: u64,
    x: Range<f64>,
}

impl<'a> Timeline<'a> {
    pub fn of(run: &'a Run) -> Self {
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
    pub fn events(&self) -> impl Iterator<Item = (f64, &'a str)> + '_ {
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

    pub fn sections(&self) -> Vec<Section> {
        let mut sections = vec![self.requests()];
        sections.extend(self.services());
        sections.extend(self.pool());
        sections.extend(self.payments());
        sections
    }

    fn requests(&self) -> Section {
        let seconds = &self.run.requests.seconds;
        let points = |f: fn(&crate::tools::bench::measure::requests::Second) -> f64| {
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
        if let Some(floor) = &self.run.floor_requests {
            let p99 = floor.seconds.iter().map(|s| (s.at as f64, s.p99_ms));
            latency.series.push(Series::line(
                "the floor's p99 (NGINX alone, played just before)",
                GREY,
                p99.collect(),
            ));
        }
        let mut charts = vec![rate, latency];
        charts.extend(self.machine());
        Section {
            title: "Requests, as k6 saw them",
            note: seconds
                .is_empty()
                .then(|| "k6 wrote no time series for this run.".to_owned()),
            columns: 1,
            charts,
        }
    }

    /// The machine under the requests: what the stack, everything else and the hypervisor
    /// took of its cores, tick by tick; none for a run recorded before the machine was read.
    fn machine(&self) -> Option<Chart> {
        let ticks: Vec<(f64, &MachineUsage)> = self
            .run
            .recording
            .ticks
            .iter()
            .filter_map(|t| Some((self.at(t.unix_ms), t.machine.as_ref()?)))
            .collect();
        let cores = ticks.first()?.1.cores;
        let series = |f: &dyn Fn(&MachineUsage) -> Option<f64>| {
            ticks
                .iter()
                .filter_map(|(t, m)| Some((*t, f(m)?)))
                .collect::<Vec<_>>()
        };
        let title = format!("The machine: who had its {cores} cores");
        let mut chart = self.chart(title, "CPUs", WIDE);
        chart.series = vec![
            Series::line(
                "the stack",
                BLUE,
                series(&|m| Some(m.busy_cpus - m.outside_cpus?)),
            ),
            Series::line(
                "outside the stack (k6, the bench, any processors)",
                ORANGE,
                series(&|m| m.outside_cpus),
            ),
            Series::line(
                "stolen by the hypervisor",
                RED,
                series(&|m| Some(m.steal_percent / 100.0 * m.cores as f64)),
            ),
        ];
        Some(chart)
    }

    /// Each service's readings of `f`, with their instants.
    fn series(&self, index: usize, f: fn(&Reading) -> Option<f64>) -> Vec<(f64, f64)> {
        self.readings(index)
            .filter_map(|(t, r)| Some((t, f(r)?)))
            .collect()
    }

    /// Service `index`'s CPU against its quota, how long the kernel throttled it for having
    /// spent that quota, and its memory against its limit.
    fn service(&self, index: usize, service: &ServiceInfo) -> [Chart; 3] {
        let color = SERVICE_COLORS[index % SERVICE_COLORS.len()];
        let name = &service.name;
        let title = format!("{name}: CPU, share of {:.2} CPU", service.cpu_quota);
        let mut cpu = self.chart(title, "% of quota", HALF);
        cpu.series = vec![
            Series::line(
                name,
                color,
                self.series(index, |r| r.cpu_share.map(|s| s * 100.0)),
            ),
            Series::limit("quota", 100.0, &self.x),
        ];
        let title = format!("{name}: throttled for its quota");
        let mut throttled = self.chart(title, "ms per second", HALF);
        let points = self.series(index, |r| r.throttled_ms);
        throttled.series = vec![Series::line(name, color, points)];
        let mut memory = self.chart(format!("{name}: memory"), "MB", HALF);
        memory.series = vec![
            Series::line(name, color, self.series(index, |r| r.memory_mb)),
            Series::limit("limit", service.memory_limit_mb as f64, &self.x),
        ];
        [cpu, throttled, memory]
    }

    /// Each service's CPU beside its throttling, then each one's memory.
    fn services(&self) -> Vec<Section> {
        let (mut cpu, mut throttled, mut memory) = (Vec::new(), Vec::new(), Vec::new());
        for (index, service) in self.run.recording.services.iter().enumerate() {
            let [c, t, m] = self.service(index, service);
            cpu.push(c);
            throttled.push(t);
            memory.push(m);
        }
        if !cpu.iter().chain(&memory).any(Chart::has_data) {
            return vec![Section {
                title: "Each service against its envelope (cgroup, once a second)",
                note: Some("No cgroup accounting: the stack ran unlimited.".into()),
                columns: 2,
                charts: Vec::new(),
            }];
        }
        // One scale for every service's throttling, so that a trace of it beside a service
        // held back for a tenth of each second looks as small as it is; at least 1 % of a
        // second, so that a trace alone does not fill its chart.
        let points = throttled
            .iter()
            .flat_map(|c| &c.series)
            .flat_map(|s| &s.points);
        let top = points.map(|p| p.1).fold(THROTTLED_TOP_MS, f64::max);
        for chart in &mut throttled {
            chart.y_top = top;
        }
        // Runs recorded before the throttling was read have their CPU charts alone.
        let charts = if throttled.iter().any(Chart::has_data) {
            cpu.into_iter()
                .zip(throttled)
                .flat_map(<[Chart; 2]>::from)
                .collect()
        } else {
            cpu
        };
        let note = "Throttled: how long the service's threads waited, each second, for the next \
                    100 ms period of the CFS scheduler, having spent their quota of the last one \
                    (summed over the cores). A second whose p99 rises with no throttling in it \
                    owes that to something other than the quota.";
        vec![
            Section {
                title: "Each service's CPU against its quota, and its throttling (cgroup, once a second)",
                note: Some(note.into()),
                columns: 2,
                charts,
            },
            Section {
                title: "Each service's memory against its limit (cgroup, once a second)",
                note: None,
                columns: 2,
                charts: memory,
            },
        ]
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
    use crate::tools::bench::measure::fixtures::{
        START_MS, bank_run, payments_run, preview_run, scrape,
    };
    use crate::tools::bench::publish::plots::lines;

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

    #[test]
    fn a_2025_run_has_every_chart_with_data_in_it() {
        let run = payments_run();

        let sections = Timeline::of(&run).sections();

        let charts: usize = sections.iter().map(|s| s.charts.len()).sum();
        assert_eq!(
            charts,
            3 + 3 * 4 + 2 + 4,
            "requests and the machine, services (CPU, throttling, memory), pools, payments"
        );
        assert_every_series_is_drawn(&sections);
    }

    #[test]
    fn a_real_2025_run_has_every_chart_with_data_in_it_and_its_queue_drains() {
        let run = preview_run();
        let timeline = Timeline::of(&run);

        let sections = timeline.sections();
        let flow = PaymentFlow::of(&timeline.instances());

        let charts: usize = sections.iter().map(|s| s.charts.len()).sum();
        assert_eq!(charts, 2 + 2 * 4 + 2 + 4);
        assert_every_series_is_drawn(&sections);
        let deepest = flow.queue.iter().map(|(_, q)| *q).fold(0.0, f64::max);
        assert!(
            deepest > 1000.0,
            "both processors failed for 10 s: {deepest}"
        );
        // Drained, but for what api1 counted in its last second: it died with those counts.
        let left = flow.queue.last().map(|(_, q)| *q).unwrap();
        assert!(left.abs() < 300.0, "{left}");
        assert!(sections[4].note.as_ref().unwrap().contains("died with it"));
    }

    #[test]
    fn a_real_bank_run_has_every_chart_with_data_in_it() {
        let run = bank_run();

        let sections = Timeline::of(&run).sections();

        let charts: usize = sections.iter().map(|s| s.charts.len()).sum();
        assert_eq!(
            charts,
            2 + 2 * 4,
            "requests, then CPU and memory per service"
        );
        assert_every_series_is_drawn(&sections);
    }

    #[test]
    fn every_services_throttling_is_drawn_on_one_scale() {
        let mut run = payments_run();
        run.recording.ticks[30].readings[1].throttled_ms = Some(120.0);
        for tick in &mut run.recording.ticks {
            tick.readings[3].throttled_ms = Some(0.0);
        }

        let sections = Timeline::of(&run).sections();

        let throttled: Vec<&Chart> = sections[1]
            .charts
            .iter()
            .filter(|c| c.title.ends_with("throttled for its quota"))
            .collect();
        assert_eq!(throttled.len(), 4);
        assert!(throttled.iter().all(|c| c.y_top == 120.0));
        let nginx = throttled[3].svg().unwrap();
        assert!(
            nginx.contains(">\n100\n</text>"),
            "nginx's flat line under api1's top"
        );
    }

    #[test]
    fn a_trace_of_throttling_does_not_fill_its_chart() {
        let mut run = payments_run();
        for tick in &mut run.recording.ticks {
            for reading in &mut tick.readings {
                reading.throttled_ms = Some(0.5);
            }
        }

        let sections = Timeline::of(&run).sections();

        let tops: Vec<f64> = sections[1]
            .charts
            .iter()
            .skip(1)
            .step_by(2)
            .map(|c| c.y_top)
            .collect();
        assert_eq!(tops, [THROTTLED_TOP_MS; 4]);
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
}
