//! 2025: the payments (the queue, what each processor paid) and the processors' schedule.

use std::ops::Range;

use plotters::style::RGBColor;

use super::services::Instance;
use super::{FAILING_COLORS, PROCESSOR_COLORS, Section, Timeline, WIDE};
use crate::tools::bench::measure::payments::Stage;
use crate::tools::bench::measure::sampler::PROCESSORS;
use crate::tools::bench::publish::plots::{Band, Chart, GREEN, GREY, Series};

impl<'a> Timeline<'a> {
    pub(super) fn payments(&self) -> Option<Section> {
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
pub(super) struct PaymentFlow {
    /// Accepted minus paid, over every instance.
    pub(super) queue: Vec<(f64, f64)>,
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
    pub(super) fn of(instances: &[Instance]) -> Self {
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
    use crate::tools::bench::measure::fixtures::{START_MS, payments_run, scrape};
    use crate::tools::bench::measure::sampler::InstanceMetrics;

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
