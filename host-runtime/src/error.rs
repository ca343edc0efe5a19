//! What can go wrong in a call, worded for the person who ran it.

use std::fmt;
use std::time::Duration;

/// An error of [`Runtime`](crate::Runtime). Every variant but [`Error::Setup`] concerns one call
/// only: the runtime stays usable for the next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The call ran past its deadline and was interrupted.
    #[error("{call} stopped: exceeded the CPU deadline of {}", Seconds(*.deadline))]
    Deadline {
        /// `render` or `validate`.
        call: &'static str,
        /// The configured deadline.
        deadline: Duration,
    },
    /// The guest needed more linear memory than the cap allows.
    #[error("{call} stopped: exceeded the memory limit of {}", Bytes(*.limit))]
    MemoryLimit {
        /// `render` or `validate`.
        call: &'static str,
        /// The configured cap in bytes.
        limit: usize,
    },
    /// The guest recursed past one of its stacks (the native stack of compiled code, or the
    /// shadow stack in its linear memory): a template that calls itself without end, or input
    /// nested deeper than any real chart.
    #[error(
        "{call} stopped: the templates or values nest too deeply for the sandbox's stack; \
         look for a template that includes itself without an end condition"
    )]
    StackOverflow {
        /// `render` or `validate`.
        call: &'static str,
    },
    /// The core refused the request, in the one error shape of every export: Helm's error for
    /// a chart (the text `helm template` prints after `Error: `), Go's for a name template, a
    /// policy file that does not load or an unknown code to disable (never a finding about the
    /// validated documents). Its `kind` says which step refused it.
    #[error("{}", .0.message)]
    Core(crate::CoreError),
    /// The guest trapped for another reason: a bug in the core.
    #[error("{call} failed inside the sandbox: {message}")]
    Trap {
        /// `render` or `validate`.
        call: &'static str,
        /// wasmtime's description of the trap, with the guest backtrace when available.
        message: String,
    },
    /// The engine or the component could not be set up.
    #[error("could not set up the core component: {0}")]
    Setup(String),
}

/// A duration as people write it in flags: `30s`, `1.5s`, `250ms`.
struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.subsec_nanos() == 0 {
            write!(f, "{}s", d.as_secs())
        } else if d < Duration::from_secs(1) && d.subsec_nanos().is_multiple_of(1_000_000) {
            write!(f, "{}ms", d.as_millis())
        } else {
            write!(f, "{}s", d.as_secs_f64())
        }
    }
}

/// A byte count in the largest binary unit that divides it: `512 MiB`, `1 GiB`, `1000 bytes`.
struct Bytes(usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
            if n >= 1 << shift && n.is_multiple_of(1 << shift) {
                return write!(f, "{} {unit}", n >> shift);
            }
        }
        write!(f, "{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_clearly() {
        let e = Error::Deadline {
            call: "render",
            deadline: Duration::from_secs(30),
        };
        assert_eq!(
            e.to_string(),
            "render stopped: exceeded the CPU deadline of 30s"
        );
        let e = Error::Deadline {
            call: "render",
            deadline: Duration::from_millis(250),
        };
        assert_eq!(
            e.to_string(),
            "render stopped: exceeded the CPU deadline of 250ms"
        );
        let e = Error::MemoryLimit {
            call: "render",
            limit: 512 << 20,
        };
        assert_eq!(
            e.to_string(),
            "render stopped: exceeded the memory limit of 512 MiB"
        );
        let e = Error::MemoryLimit {
            call: "validate",
            limit: 1000,
        };
        assert_eq!(
            e.to_string(),
            "validate stopped: exceeded the memory limit of 1000 bytes"
        );
    }
}
