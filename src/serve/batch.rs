//! When a burst of file events has become one save. A fixed quiet period
//! (what a plain debouncer waits) delays every reload by that period, and
//! most saves tell when they are done: the writer closes the file
//! (inotify's close-after-write) or renames a finished file into place.
//! So a batch is cut a moment after every relevant file written in it was
//! closed; a file still open for writing, or a watcher that never reports
//! closes (macOS, Windows), waits for the quiet period as before.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::EventKind;

/// After the last event of a burst whose files are all closed: long
/// enough for the rest of one save (a rename after the temp file's close,
/// the next file of a `git checkout`), short beside a rebuild.
const SETTLE: Duration = Duration::from_millis(5);
/// Without a close: how long events must pause.
const QUIET: Duration = Duration::from_millis(40);
/// A file written without pause (a log in the content dir) still gets a
/// rebuild this often.
const MAX_WAIT: Duration = Duration::from_millis(1000);

/// The paths of one save, and whether the watcher lost events (its queue
/// overflowed), so only a full reload is sound.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    pub rescan: bool,
}

#[derive(Default)]
pub struct Batcher {
    batch: Batch,
    /// Relevant files written and not yet closed.
    open: BTreeSet<PathBuf>,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Batcher {
    /// Takes one event; `relevant` says which paths a rebuild reads (a
    /// swap file an editor keeps open must not hold every batch back).
    pub fn add(&mut self, event: &notify::Event, relevant: impl Fn(&Path) -> bool, now: Instant) {
        if event.need_rescan() {
            self.batch.rescan = true;
            self.touch(now);
            return;
        }
        let paths = event.paths.iter().filter(|p| relevant(p.as_path()));
        match event.kind {
            // Closed after writing, gone or moved away: written in full,
            // or no close will come for it.
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                for path in paths {
                    self.open.remove(path);
                    self.push(path, now);
                }
            }
            // Reads (serve's own, too) change nothing.
            EventKind::Access(_) => {}
            EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_)) => {
                for path in paths {
                    self.open.insert(path.clone());
                    self.push(path, now);
                }
            }
            _ => {
                for path in paths {
                    self.push(path, now);
                }
            }
        }
    }

    fn push(&mut self, path: &PathBuf, now: Instant) {
        if !self.batch.paths.contains(path) {
            self.batch.paths.push(path.clone());
        }
        self.touch(now);
    }

    fn touch(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// When the batch is complete if nothing more arrives; None while empty.
    pub fn due(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        let pause = if self.open.is_empty() { SETTLE } else { QUIET };
        Some((last + pause).min(first + MAX_WAIT))
    }

    pub fn take(&mut self) -> Batch {
        self.open.clear();
        self.first = None;
        self.last = None;
        std::mem::take(&mut self.batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, Flag, RemoveKind};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(path.into())
    }

    const WRITE: EventKind = EventKind::Modify(ModifyKind::Data(DataChange::Any));
    const CLOSE: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Write));

    fn md(p: &Path) -> bool {
        p.extension().is_some_and(|e| e == "md")
    }

    #[test]
    fn a_closed_write_is_due_at_once_an_open_one_after_the_quiet_period() {
        let t = Instant::now();
        let mut b = Batcher::default();
        assert_eq!(b.due(), None);
        b.add(&event(WRITE, "/c/a.md"), md, t);
        assert_eq!(b.due(), Some(t + QUIET));
        b.add(&event(CLOSE, "/c/a.md"), md, t + Duration::from_millis(1));
        assert_eq!(b.due(), Some(t + Duration::from_millis(1) + SETTLE));
        let batch = b.take();
        assert_eq!(batch.paths, vec![PathBuf::from("/c/a.md")]);
        assert!(!batch.rescan);
        assert_eq!(b.due(), None);
    }

    #[test]
    fn an_atomic_save_is_one_batch_without_the_quiet_period() {
        // Write a temp file, close it, rename it over the document.
        let t = Instant::now();
        let mut b = Batcher::default();
        b.add(
            &event(EventKind::Create(CreateKind::File), "/c/.a.md.tmp"),
            md,
            t,
        );
        b.add(&event(WRITE, "/c/a.md.part"), md, t);
        b.add(&event(CLOSE, "/c/a.md.part"), md, t);
        b.add(
            &event(
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                "/c/a.md",
            ),
            md,
            t,
        );
        assert_eq!(b.due(), Some(t + SETTLE));
        assert_eq!(b.take().paths, vec![PathBuf::from("/c/a.md")]);
    }

    #[test]
    fn reads_and_irrelevant_open_files_neither_join_nor_hold_a_batch() {
        let t = Instant::now();
        let mut b = Batcher::default();
        b.add(
            &event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                "/c/a.md",
            ),
            md,
            t,
        );
        b.add(
            &event(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                "/c/a.md",
            ),
            md,
            t,
        );
        assert_eq!(b.due(), None);
        // Vim keeps its swap file open and written.
        b.add(&event(WRITE, "/c/.a.md.swp"), md, t);
        b.add(&event(WRITE, "/c/b.md"), md, t);
        b.add(&event(CLOSE, "/c/b.md"), md, t);
        assert_eq!(b.due(), Some(t + SETTLE));
    }

    #[test]
    fn a_removed_file_is_not_waited_for_and_one_written_without_pause_still_rebuilds() {
        let t = Instant::now();
        let mut b = Batcher::default();
        b.add(&event(WRITE, "/c/a.md"), md, t);
        b.add(
            &event(EventKind::Remove(RemoveKind::File), "/c/a.md"),
            md,
            t,
        );
        assert_eq!(b.due(), Some(t + SETTLE));
        b.take();
        for ms in 0..200 {
            b.add(
                &event(WRITE, "/c/log.md"),
                md,
                t + Duration::from_millis(ms * 10),
            );
        }
        assert_eq!(b.due(), Some(t + MAX_WAIT));
    }

    #[test]
    fn lost_events_ask_for_a_full_reload() {
        let t = Instant::now();
        let mut b = Batcher::default();
        b.add(
            &notify::Event::new(EventKind::Other).set_flag(Flag::Rescan),
            md,
            t,
        );
        assert!(b.due().is_some());
        assert_eq!(
            b.take(),
            Batch {
                paths: Vec::new(),
                rescan: true
            }
        );
    }
}
