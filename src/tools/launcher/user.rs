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
    /// account found in `/etc/passwd`.
    pub fn when_root() -> Result<Option<Self>, NoUnprivilegedUser> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(None);
        }
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        CANDIDATES
            .iter()
            .find_map(|name| lookup(&passwd, name))
            .map(Some)
            .ok_or(NoUnprivilegedUser)
    }

    /// Gives a directory to this account.
    pub fn own(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
    }
}

fn lookup(passwd: &str, name: &str) -> Option<Unprivileged> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        Some(Unprivileged {
            name: name.to_owned(),
            uid: fields.next()?.parse().ok()?,
            gid: fields.next()?.parse().ok()?,
        })
    })
}

#[derive(Debug, thiserror::Error)]
#[error("running as root, and neither of the accounts {CANDIDATES:?} exists to run PostgreSQL as")]
pub struct NoUnprivilegedUser;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_read_from_a_passwd_line() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104::/var/lib/postgresql:/bin/bash\n";
        assert_eq!(
            lookup(passwd, "postgres"),
            Some(Unprivileged {
                name: "postgres".into(),
                uid: 101,
                gid: 104
            })
        );
        assert_eq!(lookup(passwd, "nobody"), None);
    }
}
