use super::*;

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    super::super::strings::call_fn(register, name, args)
}

fn text(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(Value::String(s)) => s.to_string(),
        other => panic!("{name}: {other:?}"),
    }
}

fn s(v: &str) -> Value {
    Value::str(v)
}

/// The FixedHost's clock, 2026-01-02T03:04:05.123456789Z, without a monotonic reading.
fn fixed() -> Value {
    Time::new(1_767_323_045, 123_456_789, Zone::utc(), false).into_value()
}

fn offset_time() -> Value {
    call(
        "toDate",
        vec![
            s("2006-01-02T15:04:05Z07:00"),
            s("2024-02-29T23:59:58-03:30"),
        ],
    )
    .unwrap()
}

#[test]
fn layouts_format_like_go() {
    // (layout, fixed time, the -03:30 time shown in UTC) from Helm 4.3.1.
    let cases = [
        (
            "2006-01-02T15:04:05.000Z07:00",
            "2026-01-02T03:04:05.123Z",
            "2024-03-01T03:29:58.000Z",
        ),
        (
            "Mon Monday Jan January _2 __2 002 3PM pm",
            "Fri Friday Jan January  2   2 002 3AM am",
            "Fri Friday Mar March  1  61 061 3AM am",
        ),
        (
            ".999999 ,000 .9 05.99 06 1 2 03 4 5",
            ".123456 ,123 .1 05.12 26 1 2 03 4 5",
            " ,000  58 24 3 1 03 29 58",
        ),
        (
            "MST -0700 -07:00 -07 Z0700 Z07:00 -070000 Z07:00:00",
            "UTC +0000 +00:00 +00 Z Z +000000 Z",
            "UTC +0000 +00:00 +00 Z Z +000000 Z",
        ),
        (
            "2006_2006 Janx Monx 15h 1504",
            "2026_2026 Janx Monx 03h 0304",
            "2024_2024 Janx Monx 03h 0329",
        ),
    ];
    for (layout, a, b) in cases {
        assert_eq!(text("date", vec![s(layout), fixed()]), a, "{layout:?}");
        assert_eq!(
            text("date", vec![s(layout), offset_time()]),
            b,
            "{layout:?}"
        );
    }
    let Value::Object(o) = offset_time() else {
        panic!()
    };
    assert_eq!(o.format_v(), "2024-02-29 23:59:58 -0330 -0330");
    assert_eq!(o.to_data().as_str(), Some("2024-02-29T23:59:58-03:30"));
    let Value::Object(f) = fixed() else { panic!() };
    assert_eq!(f.format_v(), "2026-01-02 03:04:05.123456789 +0000 UTC");
    assert_eq!(text("unixEpoch", vec![offset_time()]), "1709263798");
}

#[test]
fn unix_seconds_and_zones() {
    assert_eq!(
        text("date", vec![s("2006-01-02"), Value::int(86_400)]),
        "1970-01-02"
    );
    assert_eq!(text("htmlDate", vec![Value::int(0)]), "1970-01-01");
    assert_eq!(
        text(
            "dateInZone",
            vec![s("15:04 MST"), Value::int(0), s("Bad/Zone")]
        ),
        "00:00 UTC"
    );
    assert_eq!(
        text(
            "date_in_zone",
            vec![s("15:04 MST"), Value::int(0), s("Local")]
        ),
        "00:00 UTC"
    );
    // A float64 from values is not a time: Sprig formats now (the host's clock).
    assert_eq!(text("date", vec![s("15:04"), Value::Float(3.0)]), "03:04");
}

#[test]
fn durations_like_sprig() {
    let int64 = Value::int64;
    assert_eq!(text("duration", vec![Value::int(95)]), "0s");
    assert_eq!(text("duration", vec![s("3600")]), "1h0m0s");
    assert_eq!(text("duration", vec![s("x")]), "0s");
    assert_eq!(text("duration", vec![s("-3723")]), "-1h2m3s");
    assert_eq!(text("duration", vec![s("1000000")]), "277h46m40s");
    assert_eq!(text("duration", vec![int64(95)]), "1m35s");
    let round = |v: Value| text("durationRound", vec![v]);
    assert_eq!(round(s("2h10m")), "2h");
    assert_eq!(round(Value::int(3_600_000_000_000)), "0s");
    assert_eq!(round(s("-90s")), "1m");
    assert_eq!(round(s("400h")), "16d");
    assert_eq!(round(s("800h")), "1mo");
    assert_eq!(round(s("9000h")), "1y");
    assert_eq!(round(Value::int(5)), "0s");
    assert_eq!(format_duration(1_500_000), "1.5ms");
    assert_eq!(format_duration(1_500), "1.5µs");
    assert_eq!(format_duration(90_500_000_000), "1m30.5s");
}

#[test]
fn parsing_and_modifying() {
    let to = |l: &str, v: &str| call("mustToDate", vec![s(l), s(v)]);
    assert_eq!(
        to("2006-01-02", "2020-13-01").unwrap_err(),
        r#"parsing time "2020-13-01": month out of range"#
    );
    assert_eq!(
        to("2006-01-02", "2020-1-01").unwrap_err(),
        r#"parsing time "2020-1-01" as "2006-01-02": cannot parse "1-01" as "01""#
    );
    assert_eq!(
        to("2006-01-02", "2020-01-01x").unwrap_err(),
        r#"parsing time "2020-01-01x": extra text: "x""#
    );
    let shown = |v: Result<Value, String>| match v.unwrap() {
        Value::Object(o) => o.format_v(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        shown(to("Jan 2 2006 MST", "feb 3 2021 PST")),
        "2021-02-03 00:00:00 +0000 PST"
    );
    assert_eq!(
        shown(to("3:04pm", "5:06am")),
        "0000-01-01 05:06:00 +0000 UTC"
    );
    assert_eq!(
        shown(call("toDate", vec![s("bad"), s("x")])),
        "0001-01-01 00:00:00 +0000 UTC"
    );
    let day = || call("toDate", vec![s("2006-01-02"), s("2020-05-05")]).unwrap();
    assert_eq!(text("unixEpoch", vec![day()]), "1588636800");
    assert_eq!(
        shown(call("dateModify", vec![s("1h30m"), day()])),
        "2020-05-05 01:30:00 +0000 UTC"
    );
    assert_eq!(
        shown(call("dateModify", vec![s("bad"), day()])),
        "2020-05-05 00:00:00 +0000 UTC"
    );
    let year = || call("toDate", vec![s("2006"), s("2021")]).unwrap();
    assert_eq!(
        shown(call("dateModify", vec![s("-1.5h"), year()])),
        "2020-12-31 22:30:00 +0000 UTC"
    );
    assert_eq!(
        call("mustDateModify", vec![s("1d"), year()]).unwrap_err(),
        r#"time: unknown unit "d" in duration "1d""#
    );
    let Value::Object(y) = year() else { panic!() };
    assert_eq!(
        y.call_method("Format", vec![s("Jan _2 15:04")])
            .unwrap()
            .as_str(),
        Some("Jan  1 00:00")
    );
}

#[test]
fn now_is_the_hosts_clock() {
    let Value::Object(now) = call("now", vec![]).unwrap() else {
        panic!()
    };
    assert_eq!(now.type_name(), "time.Time");
    assert_eq!(
        now.format_v(),
        "2026-01-02 03:04:05.123456789 +0000 UTC m=+0.000000000"
    );
    assert_eq!(
        now.to_data().as_str(),
        Some("2026-01-02T03:04:05.123456789Z")
    );
    assert!(matches!(
        now.field("Year"),
        Some(Ok(Value::Int(2026, IntKind::Int)))
    ));
    assert_eq!(
        now.field("Month").unwrap().unwrap().as_str(),
        Some("January")
    );
    assert_eq!(
        now.field("Weekday").unwrap().unwrap().as_str(),
        Some("Friday")
    );
}
