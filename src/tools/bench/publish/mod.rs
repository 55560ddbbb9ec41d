//! Publishing what a run measured: the tables `rinha bench` prints (`table`), the run's
//! page (`page`: the same figures, the charts drawn with `plots`), the archive of runs
//! (`archive`) and its index (`index`), all self-contained HTML (`html`). Publishing reads
//! measuring's records and never the reverse.

pub mod archive;
mod charts;
mod entry;
mod html;
mod index;
mod page;
mod plots;
pub mod table;
