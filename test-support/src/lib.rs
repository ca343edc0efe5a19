//! The test toolkit: what the crates' tests share, written once. A dev-dependency only (and a
//! dependency of the `tests` crate, whose library is itself test code).
//!
//! - [`helm`]: the oracle helm v4.3.1, located, checked and run with its own homes.
//! - [`servers`]: the real registry, a static chart repository server, a token front.
//! - [`tls`]: a CA of the test's own and TLS in front of the servers.
//! - [`charts`]: charts written the way public charts are written.
//! - [`known`]: known-failures lists, the suites' ratchets.
//! - [`secrets`]: no secret value in a status, an event, a log or an output.
//! - [`shell`]: case-file word splitting and completion scripts checked by real shells.
//! - [`cluster`]: a test control plane's CRDs.
//! - [`eventually`]: waiting for a state; [`probe`]: a started controller's `/readyz`.
//! - [`temp`]: scratch directories and the tools `scripts/install-*.sh` cache.

#![forbid(unsafe_code)]

pub mod charts;
pub mod cluster;
pub mod eventually;
pub mod helm;
pub mod known;
pub mod probe;
pub mod secrets;
pub mod servers;
pub mod shell;
pub mod temp;
pub mod tls;

pub use charts::write_chart;
pub use eventually::eventually_within;
pub use helm::Helm;
pub use known::known_failures;
pub use probe::readyz;
pub use secrets::assert_no_secret;
pub use servers::{Registry, RegistryTls, ServeOptions, StaticServer, TokenFront, free_port};
pub use shell::{quoted_words, shell_words};
pub use temp::TempDir;
pub use tls::{TestPki, TlsFront};
