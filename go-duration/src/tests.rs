//! The case table: every row is what Go 1.26's `time.ParseDuration` returns for the input
//! (printed by a Go program; Go's own test table plus the spellings users write in specs and
//! flags). A change to the grammar that disagrees with Go fails here.

use super::*;

/// `(input, nanoseconds or Go's error message)`.
const GO: &[(&str, Result<i64, &str>)] = &[
    ("0", Ok(0)),
    ("5s", Ok(5000000000)),
    ("30s", Ok(30000000000)),
    ("1478s", Ok(1478000000000)),
    ("-5s", Ok(-5000000000)),
    ("+5s", Ok(5000000000)),
    ("-0", Ok(0)),
    ("+0", Ok(0)),
    ("5.0s", Ok(5000000000)),
    ("5.6s", Ok(5600000000)),
    ("5.s", Ok(5000000000)),
    (".5s", Ok(500000000)),
    ("1.0s", Ok(1000000000)),
    ("1.00s", Ok(1000000000)),
    ("1.004s", Ok(1004000000)),
    ("1.0040s", Ok(1004000000)),
    ("100.00100s", Ok(100001000000)),
    ("10ns", Ok(10)),
    ("11us", Ok(11000)),
    ("12µs", Ok(12000)),
    ("12μs", Ok(12000)),
    ("13ms", Ok(13000000)),
    ("14s", Ok(14000000000)),
    ("15m", Ok(900000000000)),
    ("16h", Ok(57600000000000)),
    ("3h30m", Ok(12600000000000)),
    ("10.5s4m", Ok(250500000000)),
    ("-2m3.4s", Ok(-123400000000)),
    ("1h2m3s4ms5us6ns", Ok(3723004005006)),
    ("39h9m14.425s", Ok(140954425000000)),
    ("52763797000ns", Ok(52763797000)),
    ("0.3333333333333333333h", Ok(1200000000000)),
    ("9007199254740993ns", Ok(9007199254740993)),
    ("9223372036854775807ns", Ok(9223372036854775807)),
    ("9223372036854775.807us", Ok(9223372036854775807)),
    ("9223372036s854ms775us807ns", Ok(9223372036854775807)),
    ("-9223372036854775808ns", Ok(-9223372036854775808)),
    ("-9223372036854775.808us", Ok(-9223372036854775808)),
    ("-9223372036s854ms775us808ns", Ok(-9223372036854775808)),
    ("-2562047h47m16.854775808s", Ok(-9223372036854775808)),
    ("0.100000000000000000000h", Ok(360000000000)),
    ("0.830103483285477580700h", Ok(2988372539827)),
    ("5m", Ok(300000000000)),
    ("1h30m", Ok(5400000000000)),
    ("1.5h", Ok(5400000000000)),
    ("90s", Ok(90000000000)),
    ("250ms", Ok(250000000)),
    ("300ms", Ok(300000000)),
    ("2h45m10s", Ok(9910000000000)),
    ("5m0s", Ok(300000000000)),
    ("1m30s", Ok(90000000000)),
    ("10m", Ok(600000000000)),
    ("24h", Ok(86400000000000)),
    ("", Err("time: invalid duration \"\"")),
    ("3", Err("time: missing unit in duration \"3\"")),
    ("-", Err("time: invalid duration \"-\"")),
    ("s", Err("time: invalid duration \"s\"")),
    (".", Err("time: invalid duration \".\"")),
    ("-.", Err("time: invalid duration \"-.\"")),
    (".s", Err("time: invalid duration \".s\"")),
    ("+.s", Err("time: invalid duration \"+.s\"")),
    ("1d", Err("time: unknown unit \"d\" in duration \"1d\"")),
    ("5", Err("time: missing unit in duration \"5\"")),
    ("5 m", Err("time: unknown unit \" m\" in duration \"5 m\"")),
    (
        "5min",
        Err("time: unknown unit \"min\" in duration \"5min\""),
    ),
    ("m", Err("time: invalid duration \"m\"")),
    ("1..5s", Err("time: missing unit in duration \"1..5s\"")),
    (
        "five minutes",
        Err("time: invalid duration \"five minutes\""),
    ),
    ("5m-", Err("time: unknown unit \"m-\" in duration \"5m-\"")),
    (
        "5 minutes",
        Err("time: unknown unit \" minutes\" in duration \"5 minutes\""),
    ),
    (" 5m", Err("time: invalid duration \" 5m\"")),
    ("5m ", Err("time: unknown unit \"m \" in duration \"5m \"")),
    ("1.s.", Err("time: invalid duration \"1.s.\"")),
    ("1x", Err("time: unknown unit \"x\" in duration \"1x\"")),
    ("5M", Err("time: unknown unit \"M\" in duration \"5M\"")),
    ("1H", Err("time: unknown unit \"H\" in duration \"1H\"")),
    ("5Ms", Err("time: unknown unit \"Ms\" in duration \"5Ms\"")),
    ("�", Err("time: invalid duration \"\\xef\\xbf\\xbd\"")),
    (
        "12µ",
        Err("time: unknown unit \"\\xc2\\xb5\" in duration \"12\\xc2\\xb5\""),
    ),
    (
        "1h\"",
        Err("time: unknown unit \"h\\\"\" in duration \"1h\\\"\""),
    ),
    ("0s", Ok(0)),
    ("00", Err("time: missing unit in duration \"00\"")),
    ("0.0s", Ok(0)),
    ("-1s", Ok(-1000000000)),
    ("1e3s", Err("time: unknown unit \"e\" in duration \"1e3s\"")),
    (
        "0x10s",
        Err("time: unknown unit \"x\" in duration \"0x10s\""),
    ),
    (
        "9223372036854775810ns",
        Err("time: invalid duration \"9223372036854775810ns\""),
    ),
    (
        "9223372036854775808ns",
        Err("time: invalid duration \"9223372036854775808ns\""),
    ),
    (
        "-9223372036854775809ns",
        Err("time: invalid duration \"-9223372036854775809ns\""),
    ),
    (
        "9223372036854776us",
        Err("time: invalid duration \"9223372036854776us\""),
    ),
    ("3000000h", Err("time: invalid duration \"3000000h\"")),
    (
        "9223372036854775.808us",
        Err("time: invalid duration \"9223372036854775.808us\""),
    ),
    (
        "9223372036854ms775us808ns",
        Err("time: invalid duration \"9223372036854ms775us808ns\""),
    ),
    ("2562047h", Ok(9223369200000000000)),
    ("2562048h", Err("time: invalid duration \"2562048h\"")),
    ("1.0000000000000000000000000000001s", Ok(1000000000)),
];

#[test]
fn agrees_with_go_on_every_case() {
    for (input, want) in GO {
        let got = parse(input).map_err(|e| e.to_string());
        assert_eq!(
            got.as_ref().copied().map_err(String::as_str),
            *want,
            "{input:?}"
        );
    }
}

#[test]
fn error_kinds_say_what_is_wrong() {
    assert_eq!(parse("5"), Err(Error::MissingUnit { input: "5".into() }));
    assert_eq!(
        parse("5min"),
        Err(Error::UnknownUnit {
            unit: "min".into(),
            input: "5min".into()
        })
    );
    assert_eq!(parse(""), Err(Error::Invalid { input: "".into() }));
}

#[test]
fn unsigned_durations_refuse_a_sign_below_zero() {
    use std::time::Duration;
    assert_eq!(parse_unsigned("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_unsigned("+250ms"), Ok(Duration::from_millis(250)));
    assert_eq!(parse_unsigned("-0"), Ok(Duration::ZERO));
    let err = parse_unsigned("-5s").unwrap_err();
    assert_eq!(
        err,
        Error::Negative {
            input: "-5s".into()
        }
    );
    assert_eq!(err.to_string(), "duration \"-5s\" is negative");
}
