//! Each service against its envelope and its throttling, and the instances' pools.

use plotters::style::RGBColor;

use super::{HALF, SERVICE_COLORS, Section, THROTTLED_TOP_MS, Timeline};
use crate::tools::bench::measure::sampler::{InstanceMetrics, ServiceInfo};
use crate::tools::bench::publish::plots::{Chart, Series};

/// An API instance's metrics over time.
pub(super) struct Instance<'a> {
    pub(super) name: &'a str,
    pub(super) color: RGBColor,
    pub(super) points: Vec<(f64, &'a InstanceMetrics)>,
}

impl<'a> Timeline<'a> {
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
    pub(super) fn services(&self) -> Vec<Section> {
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
    pub(super) fn instances(&self) -> Vec<Instance<'a>> {
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

    pub(super) fn pool(&self) -> Option<Section> {
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
}
