//! The memory budget of a controller process: every sandboxed call (a reconcile's render or
//! validation, a webhook review) may grow its linear memory to `--max-memory`, and at most
//! `--concurrent` reconciles and `--webhook-concurrency` reviews run at once, so the sandboxes'
//! worst case is their sum times the cap. It should fit the container's memory limit with room
//! for the process itself; at start the controller logs the budget and warns when it does not
//! fit (docs/controller.md, "Memory budget").

/// The process's own memory besides the sandboxes (code, the compiled core, caches of
/// HelmReleases and charts, clients): the release build peaked at 61 MiB with 100 releases and
/// 68 MiB with 1,000 (docs/benchmarks.md, session 8's run; a debug build at 85 and 94 MiB),
/// rounded up with room for larger charts and values in the caches.
pub const OWN: u64 = 128 << 20;

/// What may run at once and how large each call may grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    /// Reconciles at once (`--concurrent`; 0: no limit).
    pub reconciles: u16,
    /// Reviews at once (`--webhook-concurrency`; 0 without the webhook).
    pub reviews: usize,
    /// Linear memory cap of one call (`--max-memory`), bytes.
    pub per_call: usize,
}

impl MemoryBudget {
    /// The worst case of the sandboxes plus [`OWN`]; `None` when reconciles are unlimited.
    pub fn worst_case(&self) -> Option<u64> {
        if self.reconciles == 0 {
            return None;
        }
        let calls = u64::from(self.reconciles) + self.reviews as u64;
        Some(calls * self.per_call as u64 + OWN)
    }

    /// Why the budget does not fit `limit` (the container's memory limit, bytes), with what to
    /// change; `None` when it fits or nothing is known.
    pub fn overrun(&self, limit: Option<u64>) -> Option<String> {
        let limit = limit?;
        let mib = |b: u64| b >> 20;
        let per_call = mib(self.per_call as u64);
        let Some(worst) = self.worst_case() else {
            return Some(format!(
                "--concurrent 0 (no limit) lets any number of sandboxes of up to {per_call} MiB \
                 each (--max-memory) run at once, under a container memory limit of {} MiB: set \
                 --concurrent (docs/controller.md, \"Memory budget\")",
                mib(limit)
            ));
        };
        (worst > limit).then(|| {
            format!(
                "{} reconciles (--concurrent) and {} reviews (--webhook-concurrency) of up to \
                 {per_call} MiB each (--max-memory), plus about {} MiB of the controller's own, \
                 may need {} MiB, above the container's memory limit of {} MiB: lower \
                 --concurrent or --max-memory, or raise the limit (docs/controller.md, \"Memory \
                 budget\")",
                self.reconciles,
                self.reviews,
                mib(OWN),
                mib(worst),
                mib(limit)
            )
        })
    }
}

/// The memory limit of this process's cgroup (v2 `memory.max`, else v1
/// `memory.limit_in_bytes`); `None` when there is none or it cannot be read.
pub fn container_limit() -> Option<u64> {
    [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|path| std::fs::read_to_string(path).ok())
    .and_then(|text| parse_limit(&text))
}

/// A cgroup memory limit file's content: bytes, or `max` (none). cgroup v1 writes "no limit" as
/// a huge number (the page-rounded i64 maximum), read as none too.
fn parse_limit(text: &str) -> Option<u64> {
    let n: u64 = text.trim().parse().ok()?;
    (n < 1 << 60).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MI: usize = 1 << 20;

    #[test]
    fn the_worst_case_is_every_call_at_its_cap_plus_the_process() {
        let b = MemoryBudget {
            reconciles: 10,
            reviews: 2,
            per_call: 64 * MI,
        };
        assert_eq!(b.worst_case(), Some((12 * 64 + 128) << 20));
        assert_eq!(b.overrun(Some(1 << 30)), None);
        assert_eq!(b.overrun(None), None);
        let over = b.overrun(Some(512 << 20)).expect("over");
        assert!(
            over.starts_with(
                "10 reconciles (--concurrent) and 2 reviews (--webhook-concurrency) of up to 64 \
                 MiB each (--max-memory), plus about 128 MiB of the controller's own, may need \
                 896 MiB, above the container's memory limit of 512 MiB"
            ),
            "{over}"
        );
        let unlimited = MemoryBudget { reconciles: 0, ..b };
        assert_eq!(unlimited.worst_case(), None);
        assert!(unlimited.overrun(Some(1 << 30)).is_some());
    }

    #[test]
    fn cgroup_limits_read_as_bytes_or_none() {
        assert_eq!(parse_limit("1073741824\n"), Some(1 << 30));
        assert_eq!(parse_limit("max\n"), None);
        assert_eq!(parse_limit("9223372036854771712\n"), None);
        assert_eq!(parse_limit(""), None);
    }
}
