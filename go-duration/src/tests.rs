//! Go's answers ([`CASES`]) against ours: a change to the grammar that disagrees with Go fails
//! here.

use super::*;
use crate::cases::CASES;

#[test]
fn agrees_with_go_on_every_case() {
    for (input, want) in CASES {
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
