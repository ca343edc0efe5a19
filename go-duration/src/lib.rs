//! Go's `time.ParseDuration`: the one grammar for durations (`5m`, `1h30m`, `1.5s`, `250ms`) of
//! the core's checks and templates, the controller's spec fields and flags, and the CLI's flags.
//!
//! Written out rather than taken from a crate because Helm, Flux and Kubernetes read these
//! strings with Go's parser, and a spec must mean the same here: the grammar is
//! `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units `ns`, `us` (`µs`, `μs`), `ms`, `s`, `m`, `h`, or a
//! lone `0`; fractions are scaled through a float as Go scales them; nothing is trimmed; the
//! result is an `i64` of nanoseconds. [`cases::CASES`] is a case table produced by Go 1.26's
//! `time.ParseDuration` itself, errors included, that every reader of durations is tested with.

#![forbid(unsafe_code)]

use std::fmt;

pub mod cases;

/// Why a string is not a Go duration; [`fmt::Display`] gives Go's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not of the grammar, or out of the range of an `i64` of nanoseconds.
    Invalid {
        /// The text.
        input: String,
    },
    /// A number without a unit (`5`).
    MissingUnit {
        /// The text.
        input: String,
    },
    /// A unit Go does not know (`5min`, `1d`, `5 m`).
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The text.
        input: String,
    },
    /// A valid duration below zero where only durations of zero or more make sense
    /// ([`parse_unsigned`]).
    Negative {
        /// The text.
        input: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { input } => write!(f, "time: invalid duration {}", quote(input)),
            Error::MissingUnit { input } => {
                write!(f, "time: missing unit in duration {}", quote(input))
            }
            Error::UnknownUnit { unit, input } => write!(
                f,
                "time: unknown unit {} in duration {}",
                quote(unit),
                quote(input)
            ),
            Error::Negative { input } => write!(f, "duration {} is negative", quote(input)),
        }
    }
}

impl std::error::Error for Error {}

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// Nanoseconds of a unit, as Go's `unitMap`.
fn unit(name: &str) -> Option<u64> {
    Some(match name {
        "ns" => NANOSECOND,
        // U+00B5 (micro sign) and U+03BC (Greek mu), as Go accepts both.
        "us" | "µs" | "μs" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Parses `s` as Go's `time.ParseDuration` does: the duration in nanoseconds (negative with a
/// leading `-`), or Go's error.
pub fn parse(s: &str) -> Result<i64, Error> {
    let invalid = || Error::Invalid { input: s.into() };
    let mut rest = s.as_bytes();
    let mut neg = false;
    if let Some(&c) = rest.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        rest = &rest[1..];
    }
    if rest == b"0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !(rest[0] == b'.' || rest[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let before = rest.len();
        let (mut v, after) = leading_int(rest).ok_or_else(invalid)?;
        rest = after;
        let pre = before != rest.len();
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if rest.first() == Some(&b'.') {
            rest = &rest[1..];
            let before = rest.len();
            (f, scale, rest) = leading_fraction(rest);
            post = before != rest.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let len = rest
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(Error::MissingUnit { input: s.into() });
        }
        let (name, after) = rest.split_at(len);
        rest = after;
        // The unit ends before an ASCII digit or dot, so it ends on a character boundary.
        let name = std::str::from_utf8(name).expect("a unit is whole characters");
        let unit = unit(name).ok_or_else(|| Error::UnknownUnit {
            unit: name.into(),
            input: s.into(),
        })?;
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            // Go scales the fraction through a float64 (nanosecond-exact for fractions of hours),
            // and so must we to give the same nanoseconds.
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        // `total` is at most 2^63, so its negation fits.
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// [`parse`] for durations that cannot be below zero (timeouts, intervals): a
/// [`std::time::Duration`], or [`Error::Negative`].
pub fn parse_unsigned(s: &str) -> Result<std::time::Duration, Error> {
    let nanos = parse(s)?;
    u64::try_from(nanos)
        .map(std::time::Duration::from_nanos)
        .map_err(|_| Error::Negative { input: s.into() })
}

/// Go's `leadingInt`: the leading digits' value, `None` past 2^63.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > 1 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// Go's `leadingFraction`: the leading digits' value and `10^digits` as a float; digits past
/// the precision of a `u64` are consumed and ignored.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let (mut x, mut scale, mut overflow) = (0u64, 1f64, false);
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > ((1 << 63) - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > 1 << 63 {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, &s[i..])
}

/// Go's `time.quote`: `"` around, `"` and `\` escaped, bytes of control and non-ASCII
/// characters as `\xNN`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if (' '..='\u{7f}').contains(&c) {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
