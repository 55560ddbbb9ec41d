//! Names the code a binary was built from, for the bench's reports: the last commit that
//! changed what it is built from (commits of docs and reports alone leave it, and the
//! binary, as they were), marked `+modified` when those files differed from that commit.
//! Nothing is set where git cannot tell (a build from a source tree without `.git`, as in
//! Nix): the bench then names the commit checked out where it runs.

use std::process::Command;

/// What the binary is built from, as far as a commit is concerned.
const SOURCES: [&str; 6] = ["src", "sql", "nginx", "k6", "Cargo.toml", "Cargo.lock"];

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    for source in SOURCES {
        println!("cargo:rerun-if-changed={source}");
    }
    let Some(git_dir) = git(&["rev-parse", "--git-dir"]) else {
        return;
    };
    // A commit or a checkout moves HEAD or rewrites the index.
    println!("cargo:rerun-if-changed={git_dir}/HEAD");
    println!("cargo:rerun-if-changed={git_dir}/index");
    let log = [&["log", "-1", "--format=%h", "--"][..], &SOURCES[..]].concat();
    let Some(commit) = git(&log).filter(|c| !c.is_empty()) else {
        return;
    };
    let status = [&["status", "--porcelain", "--"][..], &SOURCES[..]].concat();
    let modified = git(&status).is_none_or(|s| !s.is_empty());
    let suffix = if modified { "+modified" } else { "" };
    println!("cargo:rustc-env=RINHA_BUILD_COMMIT={commit}{suffix}");
}
