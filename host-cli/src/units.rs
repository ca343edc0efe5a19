//! Parsers for flag values: sizes, Go durations and RFC 3339 times.

use std::time::Duration;

use host_runtime::Datetime;

/// A byte count (`512Mi`, `1Gi`): the sandbox's own parser, shared with the controller's
/// `--max-memory`.
pub use host_runtime::parse_size;

/// A positive Go duration (`30s`, `1m30s`, `1.5h`, `250ms`), as Helm's `--timeout` takes it, in
/// the one grammar shared with the core and the controller.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    match go_duration::parse_unsigned(s) {
        Ok(d) if d.is_zero() => Err("the duration must be more than 0".to_string()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!(
            "{s:?} is not a duration ({e}; examples: 30s, 2m, 1m30s, 500ms)"
        )),
    }
}

/// An RFC 3339 time (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`) as seconds and
/// nanoseconds since the Unix epoch, UTC.
pub fn parse_rfc3339(s: &str) -> Result<Datetime, String> {
    let bad = || format!("{s:?} is not an RFC 3339 time (example: 2024-05-01T12:00:00Z)");
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = s.get(range).ok_or_else(bad)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    let mut rest = &s[19..];
    let mut nanoseconds = 0u32;
    if let Some(after) = rest.strip_prefix('.') {
        let len = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if len == 0 || len > 9 {
            return Err(bad());
        }
        nanoseconds = after[..len].parse::<u32>().map_err(|_| bad())? * 10u32.pow(9 - len as u32);
        rest = &after[len..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(&rest[3..4], ":") => {
            let sign = match &rest[..1] {
                "+" => 1,
                "-" => -1,
                _ => return Err(bad()),
            };
            let (h, m) = (num(s.len() - 5..s.len() - 3)?, num(s.len() - 2..s.len())?);
            if h > 23 || m > 59 {
                return Err(bad());
            }
            sign * (h * 3600 + m * 60)
        }
        _ => return Err(bad()),
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Ok(Datetime {
        seconds,
        nanoseconds,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m0s"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration(".5s"), Ok(Duration::from_millis(500)));
        for bad in ["", "30", "s", "1x", "0s", "-1s", "1.s.", "."] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_times() {
        let t = |s| parse_rfc3339(s).map(|d| (d.seconds, d.nanoseconds));
        assert_eq!(t("1970-01-01T00:00:00Z"), Ok((0, 0)));
        assert_eq!(t("2024-05-01T12:00:00Z"), Ok((1_714_564_800, 0)));
        assert_eq!(
            t("2024-05-01T14:00:00.25+02:00"),
            Ok((1_714_564_800, 250_000_000))
        );
        assert_eq!(t("1969-12-31T23:59:59Z"), Ok((-1, 0)));
        assert_eq!(t("2000-02-29T00:00:00-00:30"), Ok((951_784_200, 0)));
        for bad in [
            "2024-05-01",
            "2024-05-01 12:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00+0200",
            "2024-13-01T12:00:00Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
