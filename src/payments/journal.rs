//! The journal: where an instance writes a payment before its 202, so that the answer need
//! not wait for PostgreSQL. Each worker appends to segments of its own, in a directory the
//! instances share (tmpfs beside the balancer's sockets), and holds a lock on each segment
//! while it is alive. A payment's entry is let go once PostgreSQL has the payment; a segment
//! is removed once it is full and all of its entries are let go.
//!
//! The worker's HTTP thread writes; its dispatcher, on a thread of its own, lets go (an
//! [`Entry`] is `Send`), and any instance's dispatcher looks for orphans ([`orphans`]).
//!
//! A worker that dies (SIGKILL, a crash, a stop while payments were on their way) leaves its
//! segments behind, unlocked: an orphan. Any instance replays an orphan's payments into
//! PostgreSQL, where a correlationId is stored once, and then removes it. So a payment
//! answered 202 is lost only with the directory itself, as it is with the contest profile's
//! PostgreSQL (unlogged tables, no fsync): each survives an instance's death and no more.
//!
//! A record is 32 bytes, written with one `write(2)` at the end of the segment: the
//! correlationId (16 bytes), the cents (8, little-endian), and a CRC-32 of those 24 (4) and
//! four zero bytes. A record cut short, by a full disk, is not read back.

use std::cell::{Cell, RefCell};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

use crate::payments::domain::{Cents, NewPayment};

/// Records per segment before the worker starts another (128 KiB).
const SEGMENT_RECORDS: u64 = 4096;
const RECORD: usize = 32;
const EXTENSION: &str = "journal";

/// One worker's journal.
pub struct Journal {
    dir: PathBuf,
    /// Names this worker's segments.
    owner: Uuid,
    current: RefCell<Option<Arc<Segment>>>,
    /// Records written to the current segment.
    written: Cell<u64>,
    next: Cell<u64>,
}

/// One segment this worker writes, locked for as long as it is open.
struct Segment {
    path: PathBuf,
    file: File,
    /// Entries written and not yet let go, plus one while the segment takes more (until it
    /// is full, or cut short): whoever brings it to zero removes the segment, once.
    holds: AtomicU64,
}

impl Segment {
    /// Lets one hold go; the last removes the segment.
    fn release(&self) {
        if self.holds.fetch_sub(1, Ordering::AcqRel) == 1
            && let Err(e) = fs::remove_file(&self.path)
        {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a journal segment");
        }
    }
}

/// A payment written to the journal, until PostgreSQL has it. Dropped without
/// [`Entry::stored`], it stays in its segment, for another instance to replay once this
/// worker has let the segment go.
#[must_use]
pub struct Entry {
    segment: Arc<Segment>,
}

impl Entry {
    /// PostgreSQL has the payment: the journal no longer needs it.
    pub fn stored(self) {
        self.segment.release();
    }
}

/// A segment whose worker is gone, locked by this caller, with what it holds.
pub struct Orphan {
    path: PathBuf,
    _lock: File,
    pub payments: Vec<NewPayment>,
}

impl Orphan {
    /// Every payment it held is in PostgreSQL: the segment goes.
    pub fn replayed(self) -> io::Result<()> {
        fs::remove_file(&self.path)
    }
}

impl Journal {
    /// A journal in `dir`, a directory that is there; no segment is opened before the
    /// first payment.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            owner: Uuid::new_v4(),
            current: RefCell::new(None),
            written: Cell::new(0),
            next: Cell::new(0),
        }
    }

    /// Writes a payment; its entry is to be let go once PostgreSQL has it.
    pub fn append(&self, payment: &NewPayment) -> io::Result<Entry> {
        let segment = self.segment()?;
        if let Err(e) = (&segment.file).write_all(&encode(payment)) {
            self.close(&segment);
            return Err(e);
        }
        segment.holds.fetch_add(1, Ordering::AcqRel);
        self.written.set(self.written.get() + 1);
        let entry = Entry {
            segment: Arc::clone(&segment),
        };
        if self.written.get() >= SEGMENT_RECORDS {
            self.close(&segment);
        }
        Ok(entry)
    }

    /// The segment being written, or a new one, created and locked.
    fn segment(&self) -> io::Result<Arc<Segment>> {
        if let Some(segment) = &*self.current.borrow() {
            return Ok(Arc::clone(segment));
        }
        let n = self.next.get();
        self.next.set(n + 1);
        let name = format!("{}-{n}", self.owner.simple());
        // Made under another name and locked before it is named a segment: unlocked for an
        // instant under its own name, it would be taken for an orphan, and removed.
        let making = self.dir.join(format!("{name}.new"));
        let path = self.dir.join(format!("{name}.{EXTENSION}"));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&making)?;
        file.lock()?;
        fs::rename(&making, &path)?;
        let segment = Arc::new(Segment {
            path,
            file,
            holds: AtomicU64::new(1),
        });
        *self.current.borrow_mut() = Some(Arc::clone(&segment));
        self.written.set(0);
        Ok(segment)
    }

    /// No more entries go to `segment`; it goes when its last pending entry does.
    fn close(&self, segment: &Segment) {
        self.current.replace(None);
        segment.release();
    }

    /// Forgets every payment in every segment, this worker's, the other workers' and the
    /// orphans: after a purge, none of them may come back.
    pub fn purge(&self) -> io::Result<()> {
        for path in segments(&self.dir)? {
            match OpenOptions::new().write(true).open(&path) {
                Ok(file) => file.set_len(0)?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The segments in `dir` that no live worker holds, each locked for the caller until it is
/// replayed or dropped. Segments removed or emptied meanwhile are left out.
pub fn orphans(dir: &Path) -> io::Result<Vec<Orphan>> {
    let mut orphans = Vec::new();
    for path in segments(dir)? {
        let mut file = match OpenOptions::new().read(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if file.try_lock().is_err() || file.metadata()?.nlink() == 0 {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let payments = bytes.chunks_exact(RECORD).filter_map(decode).collect();
        orphans.push(Orphan {
            path,
            _lock: file,
            payments,
        });
    }
    Ok(orphans)
}

fn segments(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == EXTENSION) {
            paths.push(path);
        }
    }
    Ok(paths)
}

fn encode(payment: &NewPayment) -> [u8; RECORD] {
    let mut record = [0; RECORD];
    record[..16].copy_from_slice(payment.id.as_bytes());
    record[16..24].copy_from_slice(&payment.amount.get().to_le_bytes());
    let crc = crc32fast::hash(&record[..24]);
    record[24..28].copy_from_slice(&crc.to_le_bytes());
    record
}

fn decode(record: &[u8]) -> Option<NewPayment> {
    let crc = u32::from_le_bytes(record[24..28].try_into().ok()?);
    if crc != crc32fast::hash(&record[..24]) || record[28..] != [0; 4] {
        return None;
    }
    Some(NewPayment {
        id: Uuid::from_bytes(record[..16].try_into().ok()?),
        amount: Cents::new(i64::from_le_bytes(record[16..24].try_into().ok()?)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(cents: i64) -> NewPayment {
        NewPayment {
            id: Uuid::new_v4(),
            amount: Cents::new(cents),
        }
    }

    fn files(dir: &Path) -> usize {
        fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn a_live_workers_segment_is_no_orphan_and_a_dropped_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Journal::new(dir.path());
        let (a, b) = (payment(1990), payment(1));
        let entries = [writer.append(&a).unwrap(), writer.append(&b).unwrap()];
        assert!(orphans(dir.path()).unwrap().is_empty());

        drop(entries);
        drop(writer);
        let found = orphans(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].payments, [a, b]);
        assert!(
            orphans(dir.path()).unwrap().is_empty(),
            "locked by its replayer"
        );
        found.into_iter().for_each(|o| o.replayed().unwrap());
        assert_eq!(files(dir.path()), 0);
    }

    #[test]
    fn a_segment_goes_once_full_and_stored_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        let mut entries: Vec<Entry> = (0..SEGMENT_RECORDS)
            .map(|i| journal.append(&payment(i as i64 + 1)).unwrap())
            .collect();
        let last = journal.append(&payment(7)).unwrap();
        assert_eq!(files(dir.path()), 2);
        entries.pop().unwrap().stored();
        assert_eq!(
            files(dir.path()),
            2,
            "a full segment waits for its last entry"
        );
        entries.into_iter().for_each(Entry::stored);
        assert_eq!(files(dir.path()), 1);
        last.stored();
        assert_eq!(files(dir.path()), 1, "the segment being written stays");
    }

    #[test]
    fn an_entry_stored_is_not_replayed_once_its_full_segment_went() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        for i in 0..SEGMENT_RECORDS {
            journal.append(&payment(i as i64 + 1)).unwrap().stored();
        }
        drop(journal);
        assert!(orphans(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn a_purge_empties_every_segment_and_a_cut_record_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        let kept = journal.append(&payment(5)).unwrap();
        journal.purge().unwrap();
        let after = payment(6);
        let entry = journal.append(&after).unwrap();
        let path = kept.segment.path.clone();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        let mut torn = encode(&payment(8));
        torn[3] ^= 1;
        file.write_all(&torn).unwrap();
        file.write_all(&encode(&payment(9))[..20]).unwrap();
        drop((kept, entry, journal));

        let orphans = orphans(dir.path()).unwrap();
        assert_eq!(orphans.len(), 1);
        assert_eq!(orphans[0].payments, [after]);
    }
}
