//! The sandbox limits and where compiled code is cached.

use std::path::PathBuf;
use std::time::Duration;

/// Default memory cap of one call: 512 MiB (see `docs/sandbox.md` for the reasoning).
pub const DEFAULT_MAX_MEMORY: usize = 512 << 20;

/// Default deadline of one call: 30 s of wall time (see `docs/sandbox.md`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// Default depth of the guest's call stack: 64 MiB of native stack for compiled wasm frames
/// (see `docs/sandbox.md`: Helm allows 1,000 nested `include`s, and charts nest deeply).
pub const DEFAULT_MAX_WASM_STACK: usize = 256 << 20;

/// Default epoch tick, the granularity of the deadline: 10 ms.
pub const DEFAULT_EPOCH_TICK: Duration = Duration::from_millis(10);

/// How a [`Runtime`](crate::Runtime) is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest linear memory one call may grow to, in bytes.
    pub max_memory: usize,
    /// Wall time one call may run before it is stopped.
    pub deadline: Duration,
    /// Native stack the guest's compiled code may use; deeper recursion traps with a clear error
    /// instead of crashing the host. Every call runs on a thread with this much stack plus margin.
    pub max_wasm_stack: usize,
    /// How often the engine's epoch advances (at least 1 ms); a deadline fires within one tick of
    /// being due.
    pub epoch_tick: Duration,
    /// Directory for precompiled component artifacts; `None` compiles in every process.
    pub cache_dir: Option<PathBuf>,
    /// Read-only directory of artifacts made by [`precompile`](crate::precompile) (a portable CPU
    /// baseline), named by [`precompiled_file_name`](crate::precompiled_file_name); searched
    /// before `cache_dir`. The container image bakes one in, so a pod never compiles the core.
    pub precompiled_dir: Option<PathBuf>,
    /// Map the cached artifact instead of reading it: a short-lived process then starts in
    /// a fraction of the time (the code and the initial memory image are paged in as used,
    /// not copied; numbers in docs/benchmarks.md), but a process holding the mapping dies of
    /// SIGBUS if someone truncates the file in place. Off by default, for long-lived embedders;
    /// the CLI turns it on.
    pub map_artifact: bool,
    /// Instances come from wasmtime's pooling allocator (pre-reserved slots) instead of fresh
    /// mappings per call; `max_instances` bounds how many calls can be in flight at once.
    pub pooling: Option<Pooling>,
    /// Run calls on this many long-lived threads (each with the stack a call needs) instead of
    /// a new thread per call; a call beyond them waits for one, and its deadline starts when it
    /// runs. `None`: a thread per call, for embedders that make few calls (the CLI makes one).
    pub call_threads: Option<usize>,
}

/// Settings of the pooling instance allocator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pooling {
    /// Calls that may run at the same time; one more fails to instantiate.
    pub max_instances: u32,
    /// Bytes of each linear memory slot kept mapped between calls (at most the memory cap): a
    /// slot is reset by copying back the pages the last call changed (Linux's `PAGEMAP_SCAN`
    /// finds them) instead of unmapping them, so the next call takes no page fault there. Up to
    /// this much per slot stays resident while the slot is idle; 0 unmaps everything.
    pub keep_resident: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_memory: DEFAULT_MAX_MEMORY,
            deadline: DEFAULT_DEADLINE,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            epoch_tick: DEFAULT_EPOCH_TICK,
            cache_dir: default_cache_dir(),
            precompiled_dir: default_precompiled_dir(),
            map_artifact: false,
            pooling: None,
            call_threads: None,
        }
    }
}

/// `$XDG_CACHE_HOME/planton-helm/component`, else `$HOME/.cache/planton-helm/component`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("planton-helm").join("component"))
}

/// The environment variable naming [`Config::precompiled_dir`]'s default.
pub const PRECOMPILED_DIR_ENV: &str = "PLANTON_HELM_PRECOMPILED_DIR";

/// `$PLANTON_HELM_PRECOMPILED_DIR`, when set and not empty.
pub fn default_precompiled_dir() -> Option<PathBuf> {
    std::env::var_os(PRECOMPILED_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A byte count: plain bytes, or with a Kubernetes-style suffix (`Ki Mi Gi` binary, `k M G`
/// decimal; `KiB MiB GiB` also read as binary).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(digits);
    let n: usize = number
        .parse()
        .map_err(|_| format!("{s:?} is not a size (examples: 512Mi, 1Gi, 1048576)"))?;
    let factor: usize = match unit {
        "" | "B" => 1,
        "Ki" | "KiB" => 1 << 10,
        "Mi" | "MiB" => 1 << 20,
        "Gi" | "GiB" => 1 << 30,
        "k" | "K" | "kB" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        _ => {
            return Err(format!(
                "{s:?}: unknown size unit {unit:?} (use Ki, Mi or Gi)"
            ));
        }
    };
    match n.checked_mul(factor) {
        Some(0) => Err("the size must be more than 0".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("{s:?} is too large")),
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512Mi"), Ok(512 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("2M"), Ok(2_000_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 Mi").is_err());
        assert!(parse_size("Mi").is_err());
        assert!(parse_size("1Ti").is_err());
    }
}
