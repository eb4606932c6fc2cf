//! Scratch folders of pages for the search index (Pagefind reads a bucket
//! from a folder), in the temp dir, and their cleanup: when dropped, on a
//! stop (Ctrl-C, SIGTERM), and, for a process killed outright, by the next
//! process that makes one.

use std::path::{Path, PathBuf};

use crate::RunError;

const PREFIX: &str = "portolan-search-";
/// Names the process that made a folder (Pagefind reads only `index.html`
/// files, so it never indexes this one).
const OWNER_FILE: &str = ".portolan-owner";

/// Scratch folders in use: a stop ends the process without running their
/// destructors, and a serve stopped while indexing left one of tens of
/// megabytes in the temp dir each time.
static SCRATCH: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
/// Held (shared) while a page is written into a scratch folder; a stop
/// takes it whole, so it waits for pages being written and no more follow.
static WRITING: std::sync::RwLock<()> = std::sync::RwLock::new(());
/// Folders abandoned by killed processes are looked for once a process.
static SWEPT: std::sync::Once = std::sync::Once::new();

/// A temp folder of pages to index, removed when dropped or by
/// [`remove_scratch_folders`].
pub(super) struct Scratch(Option<tempfile::TempDir>);

impl Scratch {
    pub(super) fn new() -> Result<Scratch, RunError> {
        SWEPT.call_once(|| remove_abandoned(&std::env::temp_dir()));
        let failed = |e: std::io::Error| {
            RunError(format!("search index: cannot create a scratch folder: {e}"))
        };
        // Created under the lock: a stop in between would miss the folder.
        let mut live = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
        // A new folder under a random name (created exclusively, so empty):
        // one named by process id could be a folder a killed process left
        // behind with that id, and its pages would be indexed with these.
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir()
            .map_err(failed)?;
        live.push(dir.path().to_path_buf());
        let scratch = Scratch(Some(dir));
        if let Some(owner) = Owner::this_process() {
            std::fs::write(scratch.path().join(OWNER_FILE), owner.to_string()).map_err(failed)?;
        }
        Ok(scratch)
    }

    pub(super) fn path(&self) -> &Path {
        self.0.as_ref().map_or(Path::new(""), |dir| dir.path())
    }

    /// Writes a page at its site path.
    pub(super) fn write(&self, path: &str, html: &[u8]) -> Result<(), RunError> {
        // Under the lock a stop takes before removing the folder, so no
        // page lands (recreating the folder) after the removal.
        let _writing = WRITING.read().unwrap_or_else(|e| e.into_inner());
        crate::render::renderer::write_file(self.path(), path, html)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Removed under the lock: a stop coming meanwhile would otherwise
        // find it no longer listed and exit halfway through the removal.
        let mut live = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.0.take() {
            live.retain(|p| p != dir.path());
            let _ = dir.close();
        }
    }
}

/// Removes the scratch folders of indexing in progress: for a stop
/// handler, just before the process exits.
pub fn remove_scratch_folders() {
    // Both held until the process exits: no page is written and no folder
    // created after this.
    let writing = WRITING.write().unwrap_or_else(|e| e.into_inner());
    let live = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
    for dir in live.iter() {
        let _ = std::fs::remove_dir_all(dir);
    }
    std::mem::forget(live);
    std::mem::forget(writing);
}

/// The process that made a folder: its id and its start time (in clock
/// ticks after boot), which tells it from a later process given the same
/// id.
#[derive(Debug, PartialEq)]
struct Owner {
    pid: u32,
    started: u64,
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} {}", self.pid, self.started)
    }
}

impl Owner {
    fn parse(text: &str) -> Option<Owner> {
        let mut fields = text.split_whitespace();
        let owner = Owner {
            pid: fields.next()?.parse().ok()?,
            started: fields.next()?.parse().ok()?,
        };
        fields.next().is_none().then_some(owner)
    }

    fn this_process() -> Option<Owner> {
        let pid = std::process::id();
        Some(Owner {
            pid,
            started: start_time(pid)?,
        })
    }

    /// Whether the process is gone: none has its id, or the one that has
    /// started at another time. Unknown (no `/proc`) counts as alive.
    fn is_gone(&self) -> bool {
        if !Path::new("/proc/self/stat").is_file() {
            return false;
        }
        match read_stat(self.pid) {
            Ok(text) => parse_start_time(&text).is_some_and(|t| t != self.started),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        }
    }
}

fn read_stat(pid: u32) -> std::io::Result<String> {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
}

/// A process's start time, from `/proc/<pid>/stat` (Linux only).
fn start_time(pid: u32) -> Option<u64> {
    parse_start_time(&read_stat(pid).ok()?)
}

/// Field 22 of a `stat` line; the command name (field 2) may hold spaces
/// and parentheses, so fields are counted after its last `)`.
fn parse_start_time(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Removes the scratch folders under `temp` whose owner is gone: a process
/// killed outright (SIGKILL, a crash) runs no cleanup at all. A folder
/// without a readable owner is left alone: it may be one being made right
/// now, or one an older portolan made.
fn remove_abandoned(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        // A real folder only (a link is not followed), and one this user
        // made.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_dir() || !made_by_this_user(&meta) {
            continue;
        }
        let owner = std::fs::read_to_string(entry.path().join(OWNER_FILE))
            .ok()
            .and_then(|text| Owner::parse(&text));
        if owner.is_some_and(|owner| owner.is_gone()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn made_by_this_user(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn made_by_this_user(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times_are_read_past_any_command_name() {
        let line = |comm: &str| {
            format!("4242 ({comm}) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200")
        };
        assert_eq!(parse_start_time(&line("portolan")), Some(987654));
        assert_eq!(parse_start_time(&line("a) b (c")), Some(987654));
        assert_eq!(parse_start_time("4242 (x) S 1"), None);
        assert_eq!(parse_start_time(""), None);
        assert_eq!(
            Owner::parse("12 345\n"),
            Some(Owner {
                pid: 12,
                started: 345
            })
        );
        assert_eq!(Owner::parse("12"), None);
        assert_eq!(Owner::parse("12 345 6"), None);
        assert_eq!(Owner::parse("-1 345"), None);
    }

    /// A build or serve killed outright while indexing left its scratch
    /// folder for good (tens of megabytes each). The next one removes it,
    /// and only it: not a live process's folder, nor one with no owner.
    #[cfg(target_os = "linux")]
    #[test]
    fn folders_of_killed_processes_are_removed_and_no_other() {
        let temp = tempfile::tempdir().unwrap();
        let folder = |name: &str, owner: Option<String>| {
            let dir = temp.path().join(format!("{PREFIX}{name}"));
            std::fs::create_dir_all(dir.join("a")).unwrap();
            std::fs::write(dir.join("a/index.html"), "<html></html>").unwrap();
            if let Some(owner) = owner {
                std::fs::write(dir.join(OWNER_FILE), owner).unwrap();
            }
            dir
        };
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead_pid = child.id();
        let dead_start = start_time(dead_pid);
        child.wait().unwrap();
        let me = Owner::this_process().expect("Linux has /proc");
        let dead = folder(
            "dead",
            Some(
                Owner {
                    pid: dead_pid,
                    started: dead_start.unwrap_or(1),
                }
                .to_string(),
            ),
        );
        // This process's id, but another start: a killed process whose id
        // was given again.
        let reused = folder(
            "reused",
            Some(
                Owner {
                    pid: me.pid,
                    started: me.started + 1,
                }
                .to_string(),
            ),
        );
        let live = folder("live", Some(me.to_string()));
        let unowned = folder("unowned", None);
        let garbled = folder("garbled", Some("not an owner".to_owned()));
        let other = temp.path().join("someone-else");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(
            other.join(OWNER_FILE),
            Owner {
                pid: dead_pid,
                started: 1,
            }
            .to_string(),
        )
        .unwrap();

        remove_abandoned(temp.path());

        assert!(!dead.exists(), "a dead owner's folder stays");
        assert!(!reused.exists(), "a folder of an id given again stays");
        for kept in [&live, &unowned, &garbled, &other] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
    }

    /// A scratch folder names this process, which is alive.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_scratch_folder_names_its_living_owner() {
        let scratch = Scratch::new().unwrap();
        let owner = std::fs::read_to_string(scratch.path().join(OWNER_FILE)).unwrap();
        let owner = Owner::parse(&owner).unwrap();
        assert_eq!(owner.pid, std::process::id());
        assert!(!owner.is_gone());
    }
}
