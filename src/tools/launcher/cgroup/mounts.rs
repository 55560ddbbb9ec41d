//! Where this process's groups are, read from `/proc/self/mountinfo` (which hierarchies are
//! mounted, where, and from which root) and `/proc/self/cgroup` (its path in each).

use std::path::{Path, PathBuf};

/// Mount point and root of each mount of `fstype`, with its super options.
fn mounts<'a>(
    mountinfo: &'a str,
    fstype: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> {
    mountinfo.lines().filter_map(move |line| {
        let (left, right) = line.split_once(" - ")?;
        let mut fields = left.split(' ');
        let root = fields.nth(3)?;
        let mount_point = fields.next()?;
        let mut right = right.split(' ');
        (right.next()? == fstype).then_some(())?;
        let options = right.nth(1).unwrap_or_default();
        Some((mount_point, root, options))
    })
}

/// The directory of a cgroup path in a hierarchy mounted at `mount_point` from `root`.
fn join(mount_point: &str, root: &str, path: &str) -> PathBuf {
    let relative = path
        .strip_prefix(root)
        .unwrap_or(path)
        .trim_start_matches('/');
    Path::new(mount_point).join(relative)
}

/// This process's v1 group for `controller`.
pub fn v1_dir(mountinfo: &str, membership: &str, controller: &str) -> Option<PathBuf> {
    let (mount_point, root, _) = mounts(mountinfo, "cgroup")
        .find(|(_, _, options)| options.split(',').any(|o| o == controller))?;
    let path = membership.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let _id = fields.next()?;
        fields
            .next()?
            .split(',')
            .any(|c| c == controller)
            .then_some(())?;
        fields.next()
    })?;
    Some(join(mount_point, root, path))
}

/// This process's group in the unified (v2) hierarchy, whatever controllers it offers.
pub fn v2_dir(mountinfo: &str, membership: &str) -> Option<PathBuf> {
    let (mount_point, root, _) = mounts(mountinfo, "cgroup2").next()?;
    let path = membership
        .lines()
        .find_map(|line| line.strip_prefix("0::"))?;
    Some(join(mount_point, root, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
42 31 0:39 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const MEMBERSHIP: &str = "4:memory:/process_api/aa82\n2:cpuacct:/\n1:cpu:/\n0::/\n";

    /// A Debian 12 host as systemd sets it up: the unified hierarchy alone.
    const SYSTEMD: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";

    #[test]
    fn v1_groups_are_found_per_controller() {
        assert_eq!(
            v1_dir(HYBRID, MEMBERSHIP, "memory"),
            Some(PathBuf::from("/sys/fs/cgroup/memory/process_api/aa82"))
        );
        assert_eq!(
            v1_dir(HYBRID, MEMBERSHIP, "cpu"),
            Some(PathBuf::from("/sys/fs/cgroup/cpu"))
        );
        assert_eq!(v1_dir(HYBRID, MEMBERSHIP, "pids"), None);
    }

    #[test]
    fn co_mounted_v1_controllers_share_a_directory() {
        let mountinfo =
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
        let membership = "2:cpu,cpuacct:/docker/abc\n";
        let expected = Some(PathBuf::from("/sys/fs/cgroup/cpu,cpuacct/docker/abc"));
        assert_eq!(v1_dir(mountinfo, membership, "cpu"), expected);
        assert_eq!(v1_dir(mountinfo, membership, "cpuacct"), expected);
    }

    #[test]
    fn a_mount_of_a_subtree_is_joined_relative_to_its_root() {
        assert_eq!(
            join("/sys/fs/cgroup", "/docker/abc", "/docker/abc/inner"),
            PathBuf::from("/sys/fs/cgroup/inner")
        );
    }

    #[test]
    fn a_login_shell_on_a_systemd_host_is_in_its_session_scope() {
        let membership = "0::/user.slice/user-1000.slice/session-3.scope\n";
        assert_eq!(
            v2_dir(SYSTEMD, membership),
            Some(PathBuf::from(
                "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope"
            ))
        );
        assert_eq!(v1_dir(SYSTEMD, membership, "cpu"), None);
    }

    #[test]
    fn a_hybrid_host_has_its_unified_hierarchy_apart() {
        assert_eq!(
            v2_dir(HYBRID, MEMBERSHIP),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
    }
}
