//! Starting a service process: in its cgroup, as its account, and tied to this thread; and
//! stopping it.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Gid, Pid, Uid, setgid, setgroups, setuid};

use super::Unprivileged;
use super::cgroup::Cgroup;
use crate::deadline;

/// Prepares `command` so that, between fork and exec, the child
/// 1. joins `cgroup` (so everything it forks later is limited from the start),
/// 2. drops to `user` (after joining: the cgroup files belong to root), and
/// 3. asks for `death_signal` when the thread that started it dies, so that a killed
///    launcher or test run leaves no service behind.
pub fn confine(
    command: &mut Command,
    cgroup: Option<&Cgroup>,
    user: Option<&Unprivileged>,
    death_signal: Signal,
) {
    let procs: Vec<CString> = cgroup
        .map(|c| c.procs_files())
        .unwrap_or_default()
        .iter()
        .map(|path| CString::new(path.as_os_str().as_bytes()).expect("cgroup paths have no NUL"))
        .collect();
    let ids = user.map(|u| (Uid::from_raw(u.uid), Gid::from_raw(u.gid)));
    // SAFETY: the closure runs between fork and exec, and only makes async-signal-safe
    // system calls (open, write, close, setgroups, setgid, setuid, prctl) on memory
    // allocated before the fork; an error is an errno, which allocates nothing.
    unsafe {
        command.pre_exec(move || {
            for path in &procs {
                join(path)?;
            }
            if let Some((uid, gid)) = ids {
                setgroups(&[])?;
                setgid(gid)?;
                setuid(uid)?;
            }
            // Set last: a change of credentials clears it.
            Ok(set_pdeathsig(death_signal)?)
        });
    }
}

/// Starts `command` confined (see [`confine`]), its output appended to `log`.
pub fn spawn(
    mut command: Command,
    log: &Path,
    cgroup: Option<&Cgroup>,
    user: Option<&Unprivileged>,
    death_signal: Signal,
) -> io::Result<Child> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file);
    confine(&mut command, cgroup, user, death_signal);
    command.spawn()
}

/// Writes "0" (the writing process itself) to a `cgroup.procs` file.
unsafe fn join(procs: &CString) -> io::Result<()> {
    // SAFETY: a NUL-terminated path and a static buffer; the descriptor is closed here.
    unsafe {
        let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        check(fd)?;
        let written = libc::write(fd, b"0".as_ptr().cast(), 1);
        libc::close(fd);
        if written == 1 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Sends `signal` to `child`, gives it `timeout` to exit, then kills it; reaps it either way.
pub fn stop(child: &mut Child, signal: Signal, timeout: Duration) {
    let _ = kill(pid(child), signal);
    deadline::poll(timeout, Duration::from_millis(20), || {
        (!matches!(child.try_wait(), Ok(None))).then_some(())
    });
    let _ = child.kill();
    let _ = child.wait();
}

/// A child's process id, as the system calls take it.
pub fn pid(child: &Child) -> Pid {
    Pid::from_raw(child.id() as i32)
}

/// The last lines of a service's log file, for an error message.
pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn check(result: i32) -> io::Result<()> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}
