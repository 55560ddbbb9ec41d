//! The stack's PostgreSQL: a fresh cluster under the state directory with the tuned
//! configuration and the profile's settings, and the edition's database.

use std::fs;
use std::path::PathBuf;

use super::StackError;
use super::options::Options;
use super::service::{Process, Service};
use crate::db::SERVER_CONF;
use crate::tools::launcher::cgroup::{Cgroup, Limits};
use crate::tools::launcher::postgres::Cluster;

const DATABASE: &str = "rinha";

/// The cluster started as a service, and how the instances and the bench reach it.
pub(super) struct Postgres {
    pub(super) service: Service,
    pub(super) url: String,
    pub(super) config: tokio_postgres::Config,
}

pub(super) async fn start_postgres(
    options: &Options,
    limits: Limits,
    cgroup: Option<Cgroup>,
) -> Result<Postgres, StackError> {
    let dir = options.state_dir.join("postgres");
    let conf = dir.join("postgresql.conf");
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text)
            .map_err(|e| StackError::Io(format!("cannot write {}", path.display()), e))
    };
    fs::create_dir_all(&dir)
        .map_err(|e| StackError::Io(format!("cannot create {}", dir.display()), e))?;
    write(conf.clone(), SERVER_CONF)?;
    write(dir.join("profile.conf"), options.profile.server_conf())?;
    let config_file = conf.display().to_string();
    let cluster = Cluster::start(&dir, &[("config_file", &config_file)], cgroup.as_ref()).await?;
    cluster
        .create_database(DATABASE, options.edition, options.profile)
        .await?;
    Ok(Postgres {
        url: cluster.url(DATABASE),
        config: cluster.config(DATABASE),
        service: Service {
            name: "postgres".into(),
            pid: cluster.pid(),
            limits,
            address: format!("unix:{}", cluster.socket_dir().display()),
            metrics: None,
            log: cluster.log().to_owned(),
            process: Process::Postgres(cluster),
            cgroup,
            restarts: 0,
        },
    })
}
