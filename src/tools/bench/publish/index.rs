//! The archive's index page, drawn from `runs.json`.

use maud::{DOCTYPE, PreEscaped, html};

use super::entry::{Entry, PAGE};
use super::html::{STYLE, fixed, optional};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::bench::measure::fixtures::payments_run;
    use crate::tools::bench::publish::html::assert_self_contained;

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
