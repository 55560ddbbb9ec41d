//! Publishing what a run measured: its page (the table of figures, the charts drawn with
//! `plots`) and the archive of runs with its index. Publishing reads measuring's records and
//! never the reverse.

pub mod archive;
mod charts;
mod entry;
mod page;
mod plots;
