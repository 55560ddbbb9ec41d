//! Starting and confining the services around the API: PostgreSQL clusters, processes in
//! cgroups as an unprivileged account, and the probes that tell when they are ready.

pub mod cgroup;
pub mod http;
pub mod postgres;
pub mod process;
mod tools;
mod user;

pub use tools::{MissingTool, Tool, find_tool};
pub use user::{NoUnprivilegedUser, Unprivileged};
