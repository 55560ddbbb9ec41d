//! Starting the services around the API: today a throw-away or managed PostgreSQL cluster.

pub mod postgres;
mod tools;
mod user;

pub use tools::{MissingTool, Tool, find_tool};
pub use user::Unprivileged;
