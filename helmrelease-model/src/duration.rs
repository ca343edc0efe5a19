//! Durations as a HelmRelease and the hosts' flags write them (`5m`, `1h30m`, `90s`, `500ms`):
//! Go's grammar (the `go-duration` crate, which the core links too), zero or more.

use std::time::Duration;

pub use go_duration::{Error, parse_unsigned};

/// A Go duration of zero or more, as `spec.timeout`, `spec.interval` and the controller's flags
/// are written; the error says how to write one.
pub fn parse(text: &str) -> Result<Duration, String> {
    parse_unsigned(text).map_err(|e| {
        format!("{text:?} is not a duration ({e}): write it as Go does, like 5m, 1h30m or 90s")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_specs_write() {
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        let missing = parse("5").unwrap_err();
        assert!(
            missing.contains("missing unit") && missing.contains("like 5m"),
            "{missing}"
        );
        assert!(parse("-1s").unwrap_err().contains("negative"));
        assert!(parse("5 minutes").is_err());
        assert!(parse("").is_err());
    }

    /// Go's own answers: every duration Go accepts that is not below zero is read to the
    /// nanosecond; everything else is refused.
    #[test]
    fn follows_go_on_the_shared_case_table() {
        for (text, want) in go_duration::cases::CASES {
            match want {
                Ok(n) if *n >= 0 => {
                    assert_eq!(parse(text), Ok(Duration::from_nanos(*n as u64)), "{text:?}")
                }
                _ => assert!(parse(text).is_err(), "{text:?} accepted"),
            }
        }
    }
}
