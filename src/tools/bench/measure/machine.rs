//! The machine a run shares: the CPU time of the whole host from `/proc/stat`, so that a
//! report says what its figures were measured under. Two of its parts matter here: the
//! time the hypervisor gave to other guests while ours wanted to run (steal), and the time
//! spent outside the stack (k6, the bench itself and, for 2025, the processors), which
//! competes with the stack for the same cores.

use std::fs;

use serde::{Deserialize, Serialize};

/// The host's CPU time so far, in seconds, all cores together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuTimes {
    cores: usize,
    /// Running anything: user (guests included), nice, system, interrupts.
    busy: f64,
    /// Wanted to run, but the hypervisor ran someone else.
    steal: f64,
    /// Everything, idle and waiting for I/O included.
    total: f64,
}

impl CpuTimes {
    /// Now; `None` where `/proc/stat` cannot be read (not Linux).
    pub fn now() -> Option<Self> {
        // SAFETY: sysconf has no preconditions.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        Self::parse(&fs::read_to_string("/proc/stat").ok()?, ticks as f64)
    }

    /// Reads `/proc/stat`, whose times count `ticks_per_second` (USER_HZ).
    fn parse(stat: &str, ticks_per_second: f64) -> Option<Self> {
        let all = stat.lines().find(|l| l.starts_with("cpu "))?;
        let fields: Vec<f64> = all
            .split_whitespace()
            .skip(1)
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is
        // counted in user already.
        let [user, nice, system, idle, iowait, irq, softirq, steal] = *fields.get(..8)? else {
            return None;
        };
        let seconds = |t: f64| t / ticks_per_second;
        let cores = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count();
        Some(Self {
            cores,
            busy: seconds(user + nice + system + irq + softirq),
            steal: seconds(steal),
            total: seconds(user + nice + system + idle + iowait + irq + softirq + steal),
        })
    }
}

/// The host over one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineUsage {
    pub cores: usize,
    /// The share of the cores' time that was stolen, in percent.
    pub steal_percent: f64,
    /// How many cores were busy on average, the stack included.
    pub busy_cpus: f64,
    /// How many of them ran something other than the stack: k6, the bench, 2025's processors.
    pub outside_cpus: Option<f64>,
}

impl MachineUsage {
    /// From two readings `seconds` apart, while the stack spent `stack_cpu_seconds`.
    pub fn between(
        before: CpuTimes,
        after: CpuTimes,
        seconds: f64,
        stack_cpu_seconds: Option<f64>,
    ) -> Option<Self> {
        let total = after.total - before.total;
        if total <= 0.0 || seconds <= 0.0 {
            return None;
        }
        let busy = after.busy - before.busy;
        Some(Self {
            cores: after.cores,
            steal_percent: 100.0 * (after.steal - before.steal) / total,
            busy_cpus: busy / seconds,
            outside_cpus: stack_cpu_seconds.map(|stack| ((busy - stack) / seconds).max(0.0)),
        })
    }

    /// The share of the cores' time that was busy, in percent.
    pub fn busy_percent(&self) -> f64 {
        100.0 * self.busy_cpus / self.cores.max(1) as f64
    }

    /// One sentence, for the table and the page.
    pub fn sentence(&self) -> String {
        let outside = self.outside_cpus.map_or(String::new(), |o| {
            format!(", {o:.2} of them outside the stack (k6, the bench, any processors)")
        });
        format!(
            "the machine: {} cores, {:.1} % of their time stolen by the hypervisor; \
             {:.2} CPUs busy on average{outside}",
            self.cores, self.steal_percent, self.busy_cpus
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "\
cpu  1000 100 500 8000 50 20 30 300 0 0
cpu0 500 50 250 4000 25 10 15 150 0 0
cpu1 500 50 250 4000 25 10 15 150 0 0
intr 123456
ctxt 7890
";

    const AFTER: &str = "\
cpu  1900 100 800 8550 50 40 60 500 400 0
cpu0 950 50 400 4275 25 20 30 250 200 0
cpu1 950 50 400 4275 25 20 30 250 200 0
intr 223456
";

    #[test]
    fn proc_stat_gives_the_busy_the_stolen_and_the_whole_time() {
        let before = CpuTimes::parse(BEFORE, 100.0).unwrap();

        assert_eq!(
            before,
            CpuTimes {
                cores: 2,
                busy: 16.5,
                steal: 3.0,
                total: 100.0,
            }
        );
    }

    #[test]
    fn over_a_run_the_machine_is_shares_of_its_cores() {
        let (before, after) = (
            CpuTimes::parse(BEFORE, 100.0).unwrap(),
            CpuTimes::parse(AFTER, 100.0).unwrap(),
        );

        let usage = MachineUsage::between(before, after, 10.0, Some(4.0)).unwrap();

        // 20 s of two cores' time in 10 s: 12.5 s busy (the guest's 4 s inside user's 9),
        // 2 s stolen; the stack spent 4 of the 12.5.
        assert_eq!(usage.cores, 2);
        assert!((usage.steal_percent - 10.0).abs() < 1e-9, "{usage:?}");
        assert!((usage.busy_cpus - 1.25).abs() < 1e-9, "{usage:?}");
        assert!(
            (usage.outside_cpus.unwrap() - 0.85).abs() < 1e-9,
            "{usage:?}"
        );
        assert_eq!(
            usage.sentence(),
            "the machine: 2 cores, 10.0 % of their time stolen by the hypervisor; 1.25 CPUs \
             busy on average, 0.85 of them outside the stack (k6, the bench, any processors)"
        );
    }

    #[test]
    fn nothing_is_said_of_an_unreadable_or_empty_interval() {
        assert_eq!(CpuTimes::parse("intr 1\n", 100.0), None);
        assert_eq!(CpuTimes::parse("cpu  1 2 3\n", 100.0), None);
        let reading = CpuTimes::parse(BEFORE, 100.0).unwrap();
        assert_eq!(MachineUsage::between(reading, reading, 10.0, None), None);
    }

    #[test]
    fn this_machine_can_be_read() {
        let now = CpuTimes::now().expect("/proc/stat");
        assert!(now.cores >= 1 && now.total > 0.0 && now.busy <= now.total);
    }
}
