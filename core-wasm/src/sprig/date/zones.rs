//! The IANA zones `dateInZone` knows, by their current rules (a small built-in table instead of
//! the tz database: instants before a zone's present rules took effect come out with today's
//! rules). Daylight saving follows the POSIX rule form `Mm.w.d/time`.

use super::{Zone, days_from_civil};

/// `Mm.w.d/secs`: month, week (5 = last), weekday (0 = Sunday), local time of the change.
#[derive(Clone, Copy)]
struct Rule {
    month: u32,
    week: u32,
    weekday: i64,
    secs: i64,
}

struct Dst {
    abbr: &'static str,
    offset: i32,
    start: Rule,
    end: Rule,
}

const fn rule(month: u32, week: u32, weekday: i64, hours: i64) -> Rule {
    Rule {
        month,
        week,
        weekday,
        secs: hours * 3600,
    }
}

const H: i32 = 3600;
/// United States and Canada since 2007: second Sunday of March to first Sunday of November, 2:00.
const US: (Rule, Rule) = (rule(3, 2, 0, 2), rule(11, 1, 0, 2));
/// European Union: last Sunday of March to last Sunday of October, 1:00 UTC.
const EU: (Rule, Rule) = (rule(3, 5, 0, 1), rule(10, 5, 0, 2));
const EU_CET: (Rule, Rule) = (rule(3, 5, 0, 2), rule(10, 5, 0, 3));
const EU_EET: (Rule, Rule) = (rule(3, 5, 0, 3), rule(10, 5, 0, 4));
/// South-eastern Australia: first Sunday of October to first Sunday of April.
const AU: (Rule, Rule) = (rule(10, 1, 0, 2), rule(4, 1, 0, 3));
/// New Zealand: last Sunday of September to first Sunday of April.
const NZ: (Rule, Rule) = (rule(9, 5, 0, 2), rule(4, 1, 0, 3));

/// (names, standard abbreviation, standard offset, daylight saving).
type Entry = (
    &'static [&'static str],
    &'static str,
    i32,
    Option<(&'static str, (Rule, Rule))>,
);

const ZONES: &[Entry] = &[
    (
        &[
            "Etc/UTC",
            "Etc/UCT",
            "Etc/Universal",
            "Etc/Zulu",
            "UCT",
            "Universal",
            "Zulu",
        ],
        "UTC",
        0,
        None,
    ),
    (
        &["Etc/GMT", "GMT", "Etc/Greenwich", "Greenwich"],
        "GMT",
        0,
        None,
    ),
    (
        &[
            "America/New_York",
            "America/Toronto",
            "America/Detroit",
            "US/Eastern",
            "EST5EDT",
        ],
        "EST",
        -5 * H,
        Some(("EDT", US)),
    ),
    (
        &[
            "America/Chicago",
            "America/Winnipeg",
            "US/Central",
            "CST6CDT",
        ],
        "CST",
        -6 * H,
        Some(("CDT", US)),
    ),
    (
        &[
            "America/Denver",
            "America/Edmonton",
            "America/Boise",
            "US/Mountain",
            "MST7MDT",
        ],
        "MST",
        -7 * H,
        Some(("MDT", US)),
    ),
    (&["America/Phoenix", "US/Arizona"], "MST", -7 * H, None),
    (
        &[
            "America/Los_Angeles",
            "America/Vancouver",
            "US/Pacific",
            "PST8PDT",
        ],
        "PST",
        -8 * H,
        Some(("PDT", US)),
    ),
    (
        &["America/Anchorage", "US/Alaska"],
        "AKST",
        -9 * H,
        Some(("AKDT", US)),
    ),
    (
        &["America/Halifax", "Canada/Atlantic"],
        "AST",
        -4 * H,
        Some(("ADT", US)),
    ),
    (&["Pacific/Honolulu", "US/Hawaii"], "HST", -10 * H, None),
    (
        &[
            "America/Sao_Paulo",
            "America/Argentina/Buenos_Aires",
            "America/Buenos_Aires",
        ],
        "-03",
        -3 * H,
        None,
    ),
    (&["America/Bogota", "America/Lima"], "-05", -5 * H, None),
    (
        &["Europe/London", "GB", "Europe/Belfast"],
        "GMT",
        0,
        Some(("BST", EU)),
    ),
    (
        &["Europe/Lisbon", "Portugal", "Atlantic/Canary"],
        "WET",
        0,
        Some(("WEST", EU)),
    ),
    (
        &[
            "Europe/Berlin",
            "Europe/Paris",
            "Europe/Madrid",
            "Europe/Rome",
            "Europe/Amsterdam",
            "Europe/Brussels",
            "Europe/Vienna",
            "Europe/Zurich",
            "Europe/Stockholm",
            "Europe/Oslo",
            "Europe/Copenhagen",
            "Europe/Warsaw",
            "Europe/Prague",
            "Europe/Budapest",
            "Europe/Belgrade",
            "Europe/Luxembourg",
            "Europe/Monaco",
            "Europe/Malta",
            "CET",
        ],
        "CET",
        H,
        Some(("CEST", EU_CET)),
    ),
    (
        &[
            "Europe/Athens",
            "Europe/Helsinki",
            "Europe/Kiev",
            "Europe/Kyiv",
            "Europe/Bucharest",
            "Europe/Sofia",
            "Europe/Riga",
            "Europe/Tallinn",
            "Europe/Vilnius",
            "EET",
        ],
        "EET",
        2 * H,
        Some(("EEST", EU_EET)),
    ),
    (&["Europe/Moscow", "W-SU"], "MSK", 3 * H, None),
    (
        &["Europe/Istanbul", "Asia/Istanbul", "Turkey"],
        "+03",
        3 * H,
        None,
    ),
    (&["Africa/Johannesburg"], "SAST", 2 * H, None),
    (&["Africa/Lagos"], "WAT", H, None),
    (&["Africa/Nairobi"], "EAT", 3 * H, None),
    (&["Africa/Cairo"], "EET", 2 * H, None),
    (&["Asia/Dubai"], "+04", 4 * H, None),
    (&["Asia/Karachi"], "PKT", 5 * H, None),
    (
        &["Asia/Kolkata", "Asia/Calcutta"],
        "IST",
        5 * H + 1800,
        None,
    ),
    (&["Asia/Dhaka"], "+06", 6 * H, None),
    (
        &["Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Saigon"],
        "+07",
        7 * H,
        None,
    ),
    (&["Asia/Jakarta"], "WIB", 7 * H, None),
    (
        &["Asia/Shanghai", "Asia/Chongqing", "PRC", "Asia/Taipei"],
        "CST",
        8 * H,
        None,
    ),
    (&["Asia/Hong_Kong", "Hongkong"], "HKT", 8 * H, None),
    (
        &["Asia/Singapore", "Singapore", "Asia/Kuala_Lumpur"],
        "+08",
        8 * H,
        None,
    ),
    (&["Asia/Manila"], "PST", 8 * H, None),
    (&["Australia/Perth"], "AWST", 8 * H, None),
    (&["Asia/Tokyo", "Japan"], "JST", 9 * H, None),
    (&["Asia/Seoul", "ROK"], "KST", 9 * H, None),
    (&["Australia/Brisbane"], "AEST", 10 * H, None),
    (
        &[
            "Australia/Sydney",
            "Australia/Melbourne",
            "Australia/Canberra",
            "Australia/Hobart",
        ],
        "AEST",
        10 * H,
        Some(("AEDT", AU)),
    ),
    (
        &["Pacific/Auckland", "NZ"],
        "NZST",
        12 * H,
        Some(("NZDT", NZ)),
    ),
];

/// The zone `name` shows at `secs` (Unix seconds), or `None` for a name not in the table.
pub(crate) fn zone_at(name: &str, secs: i64) -> Option<Zone> {
    let (_, std_abbr, std_off, dst) = ZONES.iter().find(|(names, ..)| names.contains(&name))?;
    let standard = Zone {
        name: (*std_abbr).to_string(),
        offset: *std_off,
    };
    let Some((dst_abbr, (start, end))) = dst else {
        return Some(standard);
    };
    let dst = Dst {
        abbr: dst_abbr,
        offset: std_off + H,
        start: *start,
        end: *end,
    };
    let year = super::civil_from_days((secs + i64::from(*std_off)).div_euclid(86_400)).0;
    // The changes happen at local wall-clock times: the start in standard time, the end in
    // daylight time.
    let starts = transition(year, dst.start) - i64::from(*std_off);
    let ends = transition(year, dst.end) - i64::from(dst.offset);
    let in_dst = if starts < ends {
        starts <= secs && secs < ends
    } else {
        !(ends <= secs && secs < starts)
    };
    Some(if in_dst {
        Zone {
            name: dst.abbr.to_string(),
            offset: dst.offset,
        }
    } else {
        standard
    })
}

/// Local seconds (as if UTC) of a rule's moment in `year`.
fn transition(year: i64, r: Rule) -> i64 {
    let first = days_from_civil(year, r.month, 1);
    // 1970-01-01 was a Thursday (4).
    let first_wd = (first + 4).rem_euclid(7);
    let mut day = first + (r.weekday - first_wd).rem_euclid(7) + 7 * (i64::from(r.week) - 1);
    let (ny, nm) = if r.month == 12 {
        (year + 1, 1)
    } else {
        (year, r.month + 1)
    };
    while day >= days_from_civil(ny, nm, 1) {
        day -= 7;
    }
    day * 86_400 + r.secs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32, h: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + h * 3600
    }

    #[test]
    fn daylight_saving_switches_at_the_rule() {
        let ny = |s| zone_at("America/New_York", s).unwrap();
        // 2024: DST from 2024-03-10 07:00 UTC to 2024-11-03 06:00 UTC.
        assert_eq!(ny(at(2024, 3, 10, 6)).name, "EST");
        assert_eq!(ny(at(2024, 3, 10, 7)).name, "EDT");
        assert_eq!(ny(at(2024, 11, 3, 5)).offset, -4 * H);
        assert_eq!(ny(at(2024, 11, 3, 6)).offset, -5 * H);
        let berlin = |s| zone_at("Europe/Berlin", s).unwrap().name;
        assert_eq!(berlin(at(2024, 3, 31, 0)), "CET");
        assert_eq!(berlin(at(2024, 3, 31, 1)), "CEST");
        assert_eq!(berlin(at(2024, 10, 27, 1)), "CET");
        let sydney = |s| zone_at("Australia/Sydney", s).unwrap().name;
        assert_eq!(sydney(at(2024, 1, 15, 0)), "AEDT");
        assert_eq!(sydney(at(2024, 7, 15, 0)), "AEST");
        assert_eq!(zone_at("Asia/Tokyo", 0).unwrap().offset, 9 * H);
        assert!(zone_at("Mars/Olympus", 0).is_none());
    }
}
