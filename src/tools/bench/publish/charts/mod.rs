//! The charts of a run's page, on one time axis (seconds since the start of the k6 test):
//! the requests as k6 saw them (and the floor's p99, when it was played), each service
//! against its envelope and its throttling, the instances' pools and, for 2025, the
//! payments and the processors' schedule. Here the timeline, the requests and the machine;
//! `services` and `payments` draw the rest.

mod payments;
mod services;

use std::ops::Range;

use plotters::style::RGBColor;

use super::plots::{BLUE, Chart, GREEN, GREY, ORANGE, PURPLE, RED, Series};
use crate::tools::bench::measure::machine::MachineUsage;
use crate::tools::bench::measure::record::Run;
use crate::tools::bench::measure::sampler::Reading;

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
}

#[cfg(test)]
mod tests {
    use super::payments::PaymentFlow;
    use super::*;
    use crate::tools::bench::measure::fixtures::{bank_run, payments_run, preview_run};
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
}
