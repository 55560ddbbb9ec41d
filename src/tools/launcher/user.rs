use nix::unistd::{User, geteuid};

/// The unprivileged account a service runs as when the launcher itself runs as root
/// (PostgreSQL refuses to run as root; CI and these machines run as root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unprivileged {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// Accounts tried in order when dropping root.
const CANDIDATES: [&str; 2] = ["postgres", "nobody"];

impl Unprivileged {
    /// `None` when not running as root (nothing to drop); otherwise the first candidate
    /// account the system knows.
    pub fn when_root() -> Result<Option<Self>, NoUnprivilegedUser> {
        if !geteuid().is_root() {
            return Ok(None);
        }
        CANDIDATES
            .iter()
            .find_map(|name| lookup(name))
            .map(Some)
            .ok_or(NoUnprivilegedUser)
    }

    /// Gives a directory to this account.
    pub fn own(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
    }
}

/// The account named `name`, if the system has one.
fn lookup(name: &str) -> Option<Unprivileged> {
    let user = User::from_name(name).ok()??;
    Some(Unprivileged {
        name: user.name,
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    })
}

#[derive(Debug, thiserror::Error)]
#[error("running as root, and neither of the accounts {CANDIDATES:?} exists to run PostgreSQL as")]
pub struct NoUnprivilegedUser;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_looked_up_by_name() {
        let root = lookup("root").unwrap();

        assert_eq!((root.name.as_str(), root.uid, root.gid), ("root", 0, 0));
        assert_eq!(lookup("no-such-account-here"), None);
    }
}
