//! Sprig: date and duration functions over a `time.Time` object, with Go's layout-based
//! formatting and parsing (`2006-01-02T15:04:05Z07:00`).
//!
//! Time comes from the host (`Ctx::now`), so a render can be reproducible. Zones: the sandbox's
//! `Local` is UTC (as in Helm's usual container); `UTC`, `Local` and `""` are known, and so are
//! the common IANA names of `date/zones.rs` with their current rules. Other names fall back to
//! UTC, which is what Go does for an unknown zone.
//! `now` carries a monotonic reading as Go's does, printed as `m=+0.000000000`.

mod layout;
mod zones;

use std::any::Any;
use std::rc::Rc;

use super::strings::str_arg;
use crate::template::func::{Ctx, Func};
use crate::value::{IntKind, Object, Sig, Ty, Value};

pub(crate) use layout::{format, parse};

const S: Ty = Ty::String;
const TIME: Ty = Ty::Object("time.Time");

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("now", &[], |ctx, _| {
            let (secs, nanos) = ctx.now;
            Ok(Time::new(secs, nanos, Zone::utc(), true).into_value())
        }),
        Func::new("ago", &[Ty::Any], |ctx, a| {
            let t = time_arg(ctx, &a[0], false);
            let since = since(ctx, &t);
            Ok(format_duration(round_duration(since, 1_000_000_000)).into())
        }),
        Func::new("date", &[S, Ty::Any], |ctx, a| {
            Ok(date_in_zone(ctx, str_arg(&a[0]), &a[1], "Local").into())
        }),
        Func::new("dateInZone", &[S, Ty::Any, S], in_zone),
        Func::new("date_in_zone", &[S, Ty::Any, S], in_zone),
        Func::new("htmlDate", &[Ty::Any], |ctx, a| {
            Ok(date_in_zone(ctx, "2006-01-02", &a[0], "Local").into())
        }),
        Func::new("htmlDateInZone", &[Ty::Any, S], |ctx, a| {
            Ok(date_in_zone(ctx, "2006-01-02", &a[0], str_arg(&a[1])).into())
        }),
        Func::new("dateModify", &[S, TIME], |_, a| {
            let t = time_of(&a[1]);
            Ok(match parse_duration(str_arg(&a[0])) {
                Ok(d) => t.add(d),
                Err(_) => t,
            }
            .into_value())
        }),
        Func::new("date_modify", &[S, TIME], |_, a| {
            let t = time_of(&a[1]);
            Ok(match parse_duration(str_arg(&a[0])) {
                Ok(d) => t.add(d),
                Err(_) => t,
            }
            .into_value())
        }),
        Func::new("mustDateModify", &[S, TIME], must_date_modify),
        Func::new("must_date_modify", &[S, TIME], must_date_modify),
        Func::new("duration", &[Ty::Any], |_, a| {
            let n = match &a[0] {
                Value::String(s) => s.parse::<i64>().unwrap_or(0),
                Value::Int(i, IntKind::Int64) => *i,
                _ => 0,
            };
            Ok(format_duration(n.wrapping_mul(1_000_000_000)).into())
        }),
        Func::new("durationRound", &[Ty::Any], |ctx, a| {
            let d = match &a[0] {
                Value::String(s) => parse_duration(s).unwrap_or(0),
                Value::Int(i, IntKind::Int64) => *i,
                v @ Value::Object(_) if as_time(v).is_some() => {
                    let t = time_of(v);
                    since(ctx, &t)
                }
                _ => 0,
            };
            Ok(duration_round(d).into())
        }),
        Func::new("toDate", &[S, S], |_, a| {
            Ok(parse(str_arg(&a[0]), str_arg(&a[1]))
                .unwrap_or_else(|_| Time::zero())
                .into_value())
        }),
        Func::new("mustToDate", &[S, S], |_, a| {
            Ok(parse(str_arg(&a[0]), str_arg(&a[1]))?.into_value())
        }),
        Func::new("unixEpoch", &[TIME], |_, a| {
            Ok(time_of(&a[0]).secs.to_string().into())
        }),
    ]);
}

fn in_zone(ctx: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    Ok(date_in_zone(ctx, str_arg(&a[0]), &a[1], str_arg(&a[2])).into())
}

fn must_date_modify(_: &mut Ctx<'_>, a: Vec<Value>) -> Result<Value, String> {
    let d = parse_duration(str_arg(&a[0]))?;
    Ok(time_of(&a[1]).add(d).into_value())
}

/// Sprig's `dateInZone`: a `time.Time` or unix seconds (`int`, `int32`, `int64`); anything else
/// means now. `Local` is UTC in the sandbox, and so is a zone we do not know (see the module note).
fn date_in_zone(ctx: &mut Ctx<'_>, layout: &str, date: &Value, zone: &str) -> String {
    let t = time_arg(ctx, date, true);
    let z = zones::zone_at(zone, t.secs).unwrap_or_else(Zone::utc);
    format(&t.in_zone(z), layout)
}

/// The time a Sprig date function was given; `int32` counts only where `with_int32` (`date`).
fn time_arg(ctx: &Ctx<'_>, v: &Value, with_int32: bool) -> Time {
    match v {
        Value::Int(i, IntKind::Int | IntKind::Int64) => Time::new(*i, 0, Zone::utc(), false),
        Value::Int(i, IntKind::Int32) if with_int32 => Time::new(*i, 0, Zone::utc(), false),
        other => as_time(other)
            .cloned()
            .unwrap_or_else(|| Time::new(ctx.now.0, ctx.now.1, Zone::utc(), true)),
    }
}

fn as_time(v: &Value) -> Option<&Time> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Time>(),
        _ => None,
    }
}

/// A `time.Time` argument (the executor has checked the type).
fn time_of(v: &Value) -> Time {
    as_time(v).cloned().unwrap_or_else(Time::zero)
}

/// `time.Since(t)` in nanoseconds, saturating as Go's `Sub` does.
fn since(ctx: &Ctx<'_>, t: &Time) -> i64 {
    let now = i128::from(ctx.now.0) * 1_000_000_000 + i128::from(ctx.now.1);
    let then = i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos);
    (now - then).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A time zone: its abbreviation (`""` prints as the numeric offset) and offset east of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Zone {
    pub name: String,
    pub offset: i32,
}

impl Zone {
    pub(crate) fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            offset: 0,
        }
    }
}

/// Go's `time.Time`: an instant, the zone it is shown in, and whether it has a monotonic reading.
#[derive(Clone, Debug)]
pub(crate) struct Time {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    pub nanos: u32,
    pub zone: Zone,
    mono: bool,
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The broken-down wall clock of a time in its zone.
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    /// 1-based day of the year.
    pub yday: u32,
}

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Time {
    pub(crate) fn new(secs: i64, nanos: u32, zone: Zone, mono: bool) -> Time {
        Time {
            secs,
            nanos,
            zone,
            mono,
        }
    }

    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC.
    pub(crate) fn zero() -> Time {
        Time::new(days_from_civil(1, 1, 1) * 86_400, 0, Zone::utc(), false)
    }

    fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    pub(crate) fn civil(&self) -> Civil {
        let local = self.secs + i64::from(self.zone.offset);
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            nanos: self.nanos,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// `t.Add(d)`, keeping the zone and the monotonic reading.
    fn add(&self, d: i64) -> Time {
        let total = i128::from(self.nanos) + i128::from(d);
        let secs = self.secs + total.div_euclid(1_000_000_000) as i64;
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        Time::new(secs, nanos, self.zone.clone(), self.mono)
    }

    /// `t.In(zone)`, which drops the monotonic reading.
    fn in_zone(&self, zone: Zone) -> Time {
        Time::new(self.secs, self.nanos, zone, false)
    }

    /// Go's `Time.String`.
    fn go_string(&self) -> String {
        let mut s = format(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if self.mono {
            s.push_str(" m=+0.000000000");
        }
        s
    }
}

impl Object for Time {
    fn type_name(&self) -> &'static str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        let c = self.civil();
        let int = |i: i64| Value::int(i);
        Some(Ok(match name {
            "Year" => int(c.year),
            "Month" => Value::str(MONTHS[c.month as usize - 1]),
            "Day" => int(i64::from(c.day)),
            "Hour" => int(i64::from(c.hour)),
            "Minute" => int(i64::from(c.minute)),
            "Second" => int(i64::from(c.second)),
            "Nanosecond" => int(i64::from(c.nanos)),
            "YearDay" => int(i64::from(c.yday)),
            "Weekday" => Value::str(DAYS[c.weekday as usize]),
            "Unix" => Value::int64(self.secs),
            "UnixMilli" => Value::int64(self.secs * 1000 + i64::from(self.nanos / 1_000_000)),
            "UnixNano" => Value::int64(self.secs * 1_000_000_000 + i64::from(self.nanos)),
            "UTC" | "Local" => self.in_zone(Zone::utc()).into_value(),
            "IsZero" => Value::Bool(self.secs == Time::zero().secs && self.nanos == 0),
            "String" => Value::from(self.go_string()),
            _ => return None,
        }))
    }

    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Format" => Some(Sig {
                params: &[Ty::String],
                variadic: None,
            }),
            "AddDate" => Some(Sig {
                params: &[
                    Ty::Int(IntKind::Int),
                    Ty::Int(IntKind::Int),
                    Ty::Int(IntKind::Int),
                ],
                variadic: None,
            }),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        match name {
            "Format" => Ok(format(self, str_arg(&args[0])).into()),
            _ => {
                let n = |i: usize| match args.get(i) {
                    Some(Value::Int(v, _)) => *v,
                    _ => 0,
                };
                let c = self.civil();
                // Go normalises month and day overflow (Oct 32 is Nov 1) through day counts.
                let months = c.year * 12 + i64::from(c.month) - 1 + n(0) * 12 + n(1);
                let (y, m) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
                let days = days_from_civil(y, m, 1) + i64::from(c.day) - 1 + n(2);
                let secs = days * 86_400 + i64::from(c.hour * 3600 + c.minute * 60 + c.second)
                    - i64::from(self.zone.offset);
                Ok(Time::new(secs, self.nanos, self.zone.clone(), self.mono).into_value())
            }
        }
    }

    fn format_v(&self) -> String {
        self.go_string()
    }

    fn to_data(&self) -> Value {
        Value::from(format(self, "2006-01-02T15:04:05.999999999Z07:00"))
    }

    fn stringer(&self) -> Option<String> {
        Some(self.go_string())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error message (the shared grammar).
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    go_duration::parse(s).map_err(|e| e.to_string())
}

/// Go's `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn format_duration(d: i64) -> String {
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".into();
        }
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac(u, scale));
        out.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let (h, m) = (secs / 3600, secs / 60 % 60);
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(u % 60_000_000_000, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / scale` with the remainder as a decimal fraction without trailing zeros.
fn frac(v: u64, scale: u64) -> String {
    let (whole, rem) = (v / scale, v % scale);
    if rem == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{rem:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `Duration.Round(m)`: halves away from zero, saturating.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            return d + r;
        }
        d.checked_sub(m - r).unwrap_or(i64::MIN)
    } else {
        if r + r < m {
            return d - r;
        }
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }
}

/// Sprig's `durationRound`: the largest whole unit (`y`, `mo`, `d`, `h`, `m`, `s`).
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    let units: [(u64, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

#[cfg(test)]
mod tests;
