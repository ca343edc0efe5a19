//! Go's reference-time layouts: `Time.Format` and `time.ParseInLocation` (with `Local` = UTC).

use super::{DAYS, MONTHS, Time, Zone, days_from_civil};
use crate::go::quote;

/// One element of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    /// A numeric zone: `Z` variant (prints `Z` for UTC), colons, seconds, minutes.
    NumTz {
        iso: bool,
        colon: bool,
        seconds: bool,
        short: bool,
    },
    /// Fractional seconds: separator, digit count, and whether trailing zeros are trimmed (`9`).
    Frac {
        sep: u8,
        digits: usize,
        trim: bool,
    },
}

/// Go's `nextStdChunk`: the literal text before the next element, the element and its text, and
/// the rest of the layout.
fn next_chunk(layout: &str) -> Option<(&str, Std, &str, &str)> {
    let b = layout.as_bytes();
    let lower_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
    let has = |i: usize, s: &str| layout[i..].starts_with(s);
    let mut i = 0;
    while i < b.len() {
        let found: Option<(Std, usize)> = match b[i] {
            b'J' if has(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if has(i, "Jan") && !lower_at(i + 3) => Some((Std::Month, 3)),
            b'M' if has(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if has(i, "Mon") && !lower_at(i + 3) => Some((Std::WeekDay, 3)),
            b'M' if has(i, "MST") => Some((Std::Tz, 3)),
            b'0' => match b.get(i + 1) {
                Some(b'1') => Some((Std::ZeroMonth, 2)),
                Some(b'2') => Some((Std::ZeroDay, 2)),
                Some(b'3') => Some((Std::ZeroHour12, 2)),
                Some(b'4') => Some((Std::ZeroMinute, 2)),
                Some(b'5') => Some((Std::ZeroSecond, 2)),
                Some(b'6') => Some((Std::Year, 2)),
                Some(b'0') if b.get(i + 2) == Some(&b'2') => Some((Std::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' if b.get(i + 1) == Some(&b'5') => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if has(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            b'_' if has(i, "_2006") => {
                // A literal `_` before the year.
                return Some((&layout[..i + 1], Std::LongYear, "2006", &layout[i + 5..]));
            }
            b'_' if has(i, "_2") => Some((Std::UnderDay, 2)),
            b'_' if has(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if b.get(i + 1) == Some(&b'M') => Some((Std::PM, 2)),
            b'p' if b.get(i + 1) == Some(&b'm') => Some((Std::Pm, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let forms: [(&str, bool, bool, bool); 5] = [
                    ("070000", false, true, false),
                    ("07:00:00", true, true, false),
                    ("0700", false, false, false),
                    ("07:00", true, false, false),
                    ("07", false, false, true),
                ];
                forms
                    .iter()
                    .find(|(f, ..)| has(i + 1, f))
                    .map(|&(f, colon, seconds, short)| {
                        (
                            Std::NumTz {
                                iso,
                                colon,
                                seconds,
                                short,
                            },
                            1 + f.len(),
                        )
                    })
            }
            c @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while b.get(j) == Some(&ch) {
                    j += 1;
                }
                // Only a run of 0s or 9s that is not followed by another digit.
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    Some((
                        Std::Frac {
                            sep: c,
                            digits: j - i - 1,
                            trim: ch == b'9',
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((&layout[..i], std, &layout[i..i + len], &layout[i + len..]));
        }
        i += 1;
    }
    None
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
        out.push_str(&format!("{:0width$}", -v));
    } else {
        out.push_str(&format!("{v:0width$}"));
    }
}

/// Go's `Time.Format`.
pub(crate) fn format(t: &Time, layout: &str) -> String {
    let c = t.civil();
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    while let Some((prefix, std, _, after)) = next_chunk(rest) {
        out.push_str(prefix);
        rest = after;
        match std {
            Std::Year => pad(&mut out, c.year.rem_euclid(100), 2),
            Std::LongYear => pad(&mut out, c.year, 4),
            Std::Month => out.push_str(&MONTHS[c.month as usize - 1][..3]),
            Std::LongMonth => out.push_str(MONTHS[c.month as usize - 1]),
            Std::NumMonth => pad(&mut out, i64::from(c.month), 0),
            Std::ZeroMonth => pad(&mut out, i64::from(c.month), 2),
            Std::WeekDay => out.push_str(&DAYS[c.weekday as usize][..3]),
            Std::LongWeekDay => out.push_str(DAYS[c.weekday as usize]),
            Std::Day => pad(&mut out, i64::from(c.day), 0),
            Std::UnderDay => {
                if c.day < 10 {
                    out.push(' ');
                }
                pad(&mut out, i64::from(c.day), 0);
            }
            Std::ZeroDay => pad(&mut out, i64::from(c.day), 2),
            Std::UnderYearDay => {
                out.push_str(&format!("{:>3}", c.yday));
            }
            Std::ZeroYearDay => pad(&mut out, i64::from(c.yday), 3),
            Std::Hour => pad(&mut out, i64::from(c.hour), 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let h = match c.hour % 12 {
                    0 => 12,
                    h => h,
                };
                pad(
                    &mut out,
                    i64::from(h),
                    if std == Std::Hour12 { 0 } else { 2 },
                );
            }
            Std::Minute => pad(&mut out, i64::from(c.minute), 0),
            Std::ZeroMinute => pad(&mut out, i64::from(c.minute), 2),
            Std::Second => pad(&mut out, i64::from(c.second), 0),
            Std::ZeroSecond => pad(&mut out, i64::from(c.second), 2),
            Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::NumTz {
                iso,
                colon,
                seconds,
                short,
            } => {
                let offset = t.zone.offset;
                if iso && offset == 0 {
                    out.push('Z');
                    continue;
                }
                let abs = offset.unsigned_abs();
                out.push(if offset < 0 { '-' } else { '+' });
                pad(&mut out, i64::from(abs / 3600), 2);
                if colon {
                    out.push(':');
                }
                if !short {
                    pad(&mut out, i64::from(abs / 60 % 60), 2);
                }
                if seconds {
                    if colon {
                        out.push(':');
                    }
                    pad(&mut out, i64::from(abs % 60), 2);
                }
            }
            Std::Tz => {
                if t.zone.name.is_empty() {
                    let abs = t.zone.offset.unsigned_abs() / 60;
                    out.push(if t.zone.offset < 0 { '-' } else { '+' });
                    pad(&mut out, i64::from(abs / 60), 2);
                    pad(&mut out, i64::from(abs % 60), 2);
                } else {
                    out.push_str(&t.zone.name);
                }
            }
            Std::Frac { sep, digits, trim } => {
                let all = format!("{:09}", c.nanos);
                let mut d = &all[..digits.min(9)];
                if trim {
                    d = d.trim_end_matches('0');
                    if d.is_empty() {
                        continue;
                    }
                }
                out.push(char::from(sep));
                out.push_str(d);
            }
        }
    }
    out.push_str(rest);
    out
}

/// A parse failure: Go's `time.ParseError` text.
fn parse_error(value: &str, layout: &str, elem: &str, value_elem: &str, message: &str) -> String {
    if message.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout),
            quote(value_elem),
            quote(elem)
        )
    } else {
        format!("parsing time {}{message}", quote(value))
    }
}

/// Leading digits of `s`: one or two (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// Go's `skip`: match literal layout text, where a space matches any run of spaces.
fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Option<&'a str> {
    while let Some(p) = prefix.chars().next() {
        if p == ' ' {
            if !value.is_empty() && !value.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        if !value.starts_with(p) {
            return None;
        }
        prefix = &prefix[p.len_utf8()..];
        value = &value[p.len_utf8()..];
    }
    Some(value)
}

/// Case-insensitive lookup of a name table prefix; the index and the rest.
fn lookup<'a>(names: &[&str], value: &'a str, short: bool) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, n)| {
        let n = if short { &n[..3] } else { n };
        let head = value.get(..n.len())?;
        head.eq_ignore_ascii_case(n).then(|| (i, &value[n.len()..]))
    })
}

/// Nanoseconds from a separator and digits, e.g. `.5` -> 500000000.
fn parse_nanos(s: &str) -> Option<u32> {
    let digits = &s[1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u64 = 0;
    for (i, b) in digits.bytes().enumerate() {
        if i < 9 {
            n = n * 10 + u64::from(b - b'0');
        }
    }
    for _ in digits.len()..9 {
        n *= 10;
    }
    Some(n as u32)
}

fn days_in(month: i64, year: i64) -> i64 {
    if month == 2 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return if leap { 29 } else { 28 };
    }
    if matches!(month, 4 | 6 | 9 | 11) {
        30
    } else {
        31
    }
}

/// Go's `time.ParseInLocation(layout, value, time.Local)` with `Local` = UTC.
pub(crate) fn parse(layout: &str, value: &str) -> Result<Time, String> {
    let (alayout, avalue) = (layout, value);
    let (mut year, mut month, mut day) = (0i64, -1i64, -1i64);
    let (mut yday, mut hour, mut min, mut sec, mut nsec) = (-1i64, 0i64, 0i64, 0i64, 0u32);
    let (mut pm, mut am) = (false, false);
    let mut zone_offset: Option<i32> = None;
    let mut zone_name: Option<String> = None;
    let mut utc = false;
    let mut layout = layout;
    let mut value = value;
    let range =
        |what: &str| parse_error(avalue, alayout, "", "", &format!(": {what} out of range"));
    loop {
        let chunk = next_chunk(layout);
        let (prefix, std, elem, rest) = match chunk {
            Some(c) => c,
            None => (layout, Std::Tz, "", ""),
        };
        value =
            skip(value, prefix).ok_or_else(|| parse_error(avalue, alayout, prefix, value, ""))?;
        if chunk.is_none() {
            if !value.is_empty() {
                return Err(parse_error(
                    avalue,
                    alayout,
                    "",
                    "",
                    &format!(": extra text: {}", quote(value)),
                ));
            }
            break;
        }
        layout = rest;
        let hold = value;
        let bad = || parse_error(avalue, alayout, elem, hold, "");
        match std {
            Std::Year => {
                let (n, r) = getnum(value, true).ok_or_else(bad)?;
                year = if n >= 69 { n + 1900 } else { n + 2000 };
                value = r;
            }
            Std::LongYear => {
                let y = value
                    .get(..4)
                    .filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
                year = y.ok_or_else(bad)?.parse().map_err(|_| bad())?;
                value = &value[4..];
            }
            Std::Month | Std::LongMonth => {
                let (i, r) = lookup(&MONTHS, value, std == Std::Month).ok_or_else(bad)?;
                month = i as i64 + 1;
                value = r;
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (n, r) = getnum(value, std == Std::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&n) {
                    return Err(range("month"));
                }
                month = n;
                value = r;
            }
            Std::WeekDay | Std::LongWeekDay => {
                let (_, r) = lookup(&DAYS, value, std == Std::WeekDay).ok_or_else(bad)?;
                value = r;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay {
                    value = value.strip_prefix(' ').unwrap_or(value);
                }
                let (n, r) = getnum(value, std == Std::ZeroDay).ok_or_else(bad)?;
                // The day is checked against the month once both are known.
                day = n;
                value = r;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                let mut v = value;
                if std == Std::UnderYearDay {
                    v = v.trim_start_matches(' ');
                }
                let n = v.bytes().take(3).take_while(u8::is_ascii_digit).count();
                if n == 0 || std == Std::ZeroYearDay && n < 3 {
                    return Err(bad());
                }
                yday = v[..n].parse().map_err(|_| bad())?;
                if !(1..=366).contains(&yday) {
                    return Err(range("day-of-year"));
                }
                value = &v[n..];
            }
            Std::Hour => {
                let (n, r) = getnum(value, false).ok_or_else(bad)?;
                if !(0..24).contains(&n) {
                    return Err(range("hour"));
                }
                hour = n;
                value = r;
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let (n, r) = getnum(value, std == Std::ZeroHour12).ok_or_else(bad)?;
                if !(0..=12).contains(&n) {
                    return Err(range("hour"));
                }
                hour = n;
                value = r;
            }
            Std::Minute | Std::ZeroMinute => {
                let (n, r) = getnum(value, std == Std::ZeroMinute).ok_or_else(bad)?;
                if !(0..60).contains(&n) {
                    return Err(range("minute"));
                }
                min = n;
                value = r;
            }
            Std::Second | Std::ZeroSecond => {
                let (n, r) = getnum(value, std == Std::ZeroSecond).ok_or_else(bad)?;
                if !(0..60).contains(&n) {
                    return Err(range("second"));
                }
                sec = n;
                value = r;
                // A fraction after the seconds is accepted even when the layout has none.
                let b = value.as_bytes();
                let next_is_frac = matches!(next_chunk(layout), Some((_, Std::Frac { .. }, ..)));
                if b.len() >= 2
                    && matches!(b[0], b'.' | b',')
                    && b[1].is_ascii_digit()
                    && !next_is_frac
                {
                    let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    nsec = parse_nanos(&value[..n]).ok_or_else(bad)?;
                    value = &value[n..];
                }
            }
            Std::PM => {
                match value.get(..2) {
                    Some("PM") => pm = true,
                    Some("AM") => am = true,
                    _ => return Err(bad()),
                }
                value = &value[2..];
            }
            Std::Pm => {
                match value.get(..2) {
                    Some("pm") => pm = true,
                    Some("am") => am = true,
                    _ => return Err(bad()),
                }
                value = &value[2..];
            }
            Std::NumTz {
                iso,
                colon,
                seconds,
                short,
            } => {
                if iso && value.starts_with('Z') {
                    value = &value[1..];
                    utc = true;
                    continue;
                }
                let len = 3
                    + if short { 0 } else { 2 + usize::from(colon) }
                    + if seconds { 2 + usize::from(colon) } else { 0 };
                let s = value.get(..len).ok_or_else(bad)?;
                let b = s.as_bytes();
                let sign = match b[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return Err(bad()),
                };
                let num = |at: usize| {
                    s.get(at..at + 2)
                        .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))
                        .and_then(|d| d.parse::<i32>().ok())
                };
                let hh = num(1).ok_or_else(bad)?;
                let mut at = 3;
                let mut mm = 0;
                let mut ss = 0;
                if !short {
                    if colon {
                        if b[at] != b':' {
                            return Err(bad());
                        }
                        at += 1;
                    }
                    mm = num(at).ok_or_else(bad)?;
                    at += 2;
                }
                if seconds {
                    if colon {
                        if b[at] != b':' {
                            return Err(bad());
                        }
                        at += 1;
                    }
                    ss = num(at).ok_or_else(bad)?;
                }
                if hh > 24 || mm > 60 || ss > 60 {
                    return Err(range("time zone offset"));
                }
                zone_offset = Some(sign * (hh * 3600 + mm * 60 + ss));
                value = &value[len..];
            }
            Std::Tz => {
                if value.starts_with("UTC") {
                    value = &value[3..];
                    utc = true;
                    continue;
                }
                let n = value.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(bad());
                }
                zone_name = Some(value[..n].to_string());
                value = &value[n..];
            }
            Std::Frac { digits, trim, .. } => {
                if trim {
                    let b = value.as_bytes();
                    if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                        continue;
                    }
                    let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    nsec = parse_nanos(&value[..n]).ok_or_else(bad)?;
                    value = &value[n..];
                } else {
                    let s = value.get(..1 + digits).ok_or_else(bad)?;
                    if !matches!(s.as_bytes()[0], b'.' | b',') {
                        return Err(bad());
                    }
                    nsec = parse_nanos(s).ok_or_else(bad)?;
                    value = &value[1 + digits..];
                }
            }
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if yday >= 0 && month < 0 && day < 0 {
        let leap = days_in(2, year) == 29;
        let mut d = yday;
        let mut m = 1;
        while m < 12 && d > days_in(m, year) {
            d -= days_in(m, year);
            m += 1;
        }
        if !leap && yday == 366 {
            return Err(range("day-of-year"));
        }
        month = m;
        day = d;
    }
    let month = if month < 0 { 1 } else { month };
    let day = if day < 0 { 1 } else { day };
    if day < 1 || day > days_in(month, year) {
        return Err(range("day"));
    }
    let local =
        days_from_civil(year, month as u32, day as u32) * 86_400 + hour * 3600 + min * 60 + sec;
    if utc {
        return Ok(Time::new(local, nsec, Zone::utc(), false));
    }
    if let Some(off) = zone_offset {
        // An offset that matches Local (UTC) takes Local's name; others get a nameless zone.
        let zone = if off == 0 {
            Zone::utc()
        } else {
            Zone {
                name: String::new(),
                offset: off,
            }
        };
        return Ok(Time::new(local - i64::from(off), nsec, zone, false));
    }
    if let Some(name) = zone_name {
        let offset = name
            .strip_prefix("GMT")
            .and_then(|o| o.parse::<i32>().ok())
            .map_or(0, |h| h * 3600);
        return Ok(Time::new(
            local - i64::from(offset),
            nsec,
            Zone { name, offset },
            false,
        ));
    }
    Ok(Time::new(local, nsec, Zone::utc(), false))
}
