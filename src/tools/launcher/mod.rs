//! Starting and confining the services around the API: PostgreSQL clusters, processes in
//! cgroups as an unprivileged account.

pub mod cgroup;
pub mod postgres;
pub mod process;
mod tools;
mod user;

pub use tools::{MissingTool, Tool, find_tool};
pub use user::{NoUnprivilegedUser, Unprivileged};
