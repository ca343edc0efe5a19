// The cases use the literals the oracle was given (3.14159 and friends), not std's constants.
#![allow(clippy::approx_constant)]

mod floats;

use std::collections::BTreeMap;
use std::rc::Rc;

use super::*;
use crate::value::Value;

/// The chart values the oracle cases were rendered with (YAML numbers are float64).
fn vals(name: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("a".to_string(), Value::Float(1.0));
    m.insert(
        "b".to_string(),
        Value::list(vec![Value::str("x"), Value::Float(2.5), Value::Nil]),
    );
    m.insert("c".to_string(), Value::str("s"));
    match name {
        "m" => Value::map(m),
        "l" => Value::list(vec![
            Value::Float(1.0),
            Value::str("a"),
            Value::Nil,
            Value::Float(1e6),
        ]),
        "e" => Value::map(BTreeMap::new()),
        "el" => Value::list(vec![]),
        "s" => Value::str("héllo"),
        _ => unreachable!("no value {name}"),
    }
}

/// `.Files.GetBytes` of a file holding `hi\xff\xc3\xa9\n`.
fn bytes() -> Value {
    Value::Bytes(Rc::from(&b"hi\xff\xc3\xa9\n"[..]))
}

#[test]
fn sprintf_matches_helm() {
    // Expected outputs rendered by Helm v4.3.1's printf.
    let cases: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "%v|%v|%v|%v|%v|%v|%v|%v|%v",
            vec![
                Value::Float(3.0),
                Value::Float(2.5),
                Value::Float(100000.0),
                Value::Float(1.0e6),
                Value::Float(1234567.0),
                Value::Float(1.0e-5),
                Value::Float(0.0001),
                Value::Float(-0.0),
                Value::Float(123456789.0),
            ],
            "3|2.5|100000|1e+06|1.234567e+06|1e-05|0.0001|-0|1.23456789e+08",
        ),
        (
            "%v %v %v %v",
            vec![
                Value::Float(1.0e21),
                Value::Float(1.0e20),
                Value::Float(0.1),
                Value::Float(-1.5e-10),
            ],
            "1e+21 1e+20 0.1 -1.5e-10",
        ),
        (
            "%v %v %v",
            vec![vals("m"), vals("l"), Value::Nil],
            "map[a:1 b:[x 2.5 <nil>] c:s] [1 a <nil> 1e+06] <nil>",
        ),
        (
            "%v %v %v %v",
            vec![vals("e"), vals("el"), Value::Bool(true), Value::str("str")],
            "map[] [] true str",
        ),
        (
            "%d %5d %-5d| %05d %+d % d %x %X %o %O %b %#x %#o %#b %#X",
            vec![
                Value::int(42),
                Value::int(42),
                Value::int(42),
                Value::int(-42),
                Value::int(42),
                Value::int(42),
                Value::int(255),
                Value::int(255),
                Value::int(8),
                Value::int(8),
                Value::int(5),
                Value::int(255),
                Value::int(8),
                Value::int(5),
                Value::int(255),
            ],
            "42    42 42   | -0042 +42  42 ff FF 10 0o10 101 0xff 010 0b101 0XFF",
        ),
        (
            "%.3d|%6.3d|%-06d|%06d|%+06d|%.0d|%5.0d|%x",
            vec![
                Value::int(7),
                Value::int(7),
                Value::int(7),
                Value::int(-7),
                Value::int(7),
                Value::int(0),
                Value::int(0),
                Value::int(-255),
            ],
            "007|   007|7     |-00007|+00007||     |-ff",
        ),
        (
            "%06s|%-6s|%6s|%.2s|%6.2s|%x|%X|% x|%#x|%# x|%.1x|%10x",
            vec![
                Value::str("ab"),
                Value::str("ab"),
                Value::str("héllo"),
                Value::str("héllo"),
                Value::str("héllo"),
                Value::str("hi"),
                Value::str("hi"),
                Value::str("hi"),
                Value::str("hi"),
                Value::str("hi"),
                Value::str("hi"),
                Value::str("hi"),
            ],
            "0000ab|ab    | héllo|hé|    hé|6869|6869|68 69|0x6869|0x68 0x69|68|      6869",
        ),
        (
            "%q|%#q|%#q|%+q|%q|%8q|%-8q|%.3q",
            vec![
                Value::str("a\"b\\c\n"),
                Value::str("ab"),
                Value::str("a`b"),
                Value::str("é☺"),
                Value::str("\u{0}\u{7}\u{8}\u{c}\u{b}\r\t\u{7f}\u{a0}\u{200b}\u{2028}😀\u{e0001}"),
                Value::str("a"),
                Value::str("a"),
                Value::str("héllo"),
            ],
            "\"a\\\"b\\\\c\\n\"|`ab`|\"a`b\"|\"\\u00e9\\u263a\"|\"\\x00\\a\\b\\f\\v\\r\\t\\x7f\\u00a0\\u200b\\u2028😀\\U000e0001\"|     \"a\"|\"a\"     |\"hél\"",
        ),
        (
            "%c|%c|%c|%q|%q|%q|%+q|%U|%#U|%#U|%.6U|%c",
            vec![
                Value::int(65),
                Value::int(233),
                Value::int(-1),
                Value::int(10),
                Value::int(39),
                Value::int(34),
                Value::int(233),
                Value::int(0x1F600),
                Value::int(0x1F600),
                Value::int(10),
                Value::int(65),
                Value::int(1114112),
            ],
            "A|é|�|'\\n'|'\\''|'\"'|'\\u00e9'|U+1F600|U+1F600 '😀'|U+000A|U+000041|�",
        ),
        (
            "%e|%E|%f|%F|%g|%G|%.2e|%.3f|%.3g|%10.3f|%-10.3f|%+.3f|% .3f|%010.3f",
            vec![
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(1.0e-7),
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(1234.5678),
                Value::Float(3.14159),
                Value::Float(3.14159),
                Value::Float(3.14159),
                Value::Float(3.14159),
                Value::Float(-3.14159),
            ],
            "1.234568e+03|1.234568E+03|1234.567800|1234.567800|1234.5678|1E-07|1.23e+03|1234.568|1.23e+03|     3.142|3.142     |+3.142| 3.142|-00003.142",
        ),
        (
            "%.1f %.0f %.0f %.2f %.1f %.0f %.0f %.3g %.3g %.3g %g %.0e",
            vec![
                Value::Float(0.25),
                Value::Float(0.5),
                Value::Float(2.5),
                Value::Float(0.125),
                Value::Float(0.35),
                Value::Float(1.5),
                Value::Float(3.5),
                Value::Float(1.0),
                Value::Float(100.0),
                Value::Float(1000.0),
                Value::Float(0.0001),
                Value::Float(15.0),
            ],
            "0.2 0 2 0.12 0.3 2 4 1 100 1e+03 0.0001 2e+01",
        ),
        (
            "%#g|%#.3g|%#v|%#v|%#e|%#.0f|%#.0e|%#g|%#g",
            vec![
                Value::Float(1.0),
                Value::Float(1.0),
                Value::Float(1.0),
                Value::Float(1.0e6),
                Value::Float(1.0),
                Value::Float(2.0),
                Value::Float(2.0),
                Value::Float(123456789.0),
                Value::Float(0.0),
            ],
            "1.00000|1.00|1|1e+06|1.000000e+00|2.|2.e+00|1.23456789e+08|0.00000",
        ),
        (
            "%b|%x|%X|%#x|%.2x|%x|%x|%x|%x",
            vec![
                Value::Float(1.0),
                Value::Float(1.5),
                Value::Float(-255.0),
                Value::Float(1.0),
                Value::Float(1.0),
                Value::Float(0.0),
                Value::Float(1.0e300),
                Value::Float(5.0e-324),
                Value::Float(0.1),
            ],
            "4503599627370496p-52|0x1.8p+00|-0X1.FEP+07|0x1.0000p+00|0x1.00p+00|0x0p+00|0x1.7e43c8800759cp+996|0x1p-1074|0x1.999999999999ap-04",
        ),
        (
            "%.30f|%.20e|%.17g|%g|%g|%v|%6.2v|%08.3f|%-8.2f|%+v",
            vec![
                Value::Float(0.1),
                Value::Float(0.1),
                Value::Float(0.1),
                Value::Float(1.0e100),
                Value::Float(123456.0),
                Value::Float(9.999999e-5),
                Value::Float(3.14159),
                Value::Float(-3.14159),
                Value::Float(2.5),
                Value::Float(2.5),
            ],
            "0.100000000000000005551115123126|1.00000000000000005551e-01|0.10000000000000001|1e+100|123456|9.999999e-05|   3.1|-003.142|2.50    |2.5",
        ),
        (
            "%t|%v|%5t|%-6t|%d|%s",
            vec![
                Value::Bool(true),
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(false),
                Value::Bool(true),
                Value::Bool(true),
            ],
            "true|false| true|false |%!d(bool=true)|%!s(bool=true)",
        ),
        ("%d %d", vec![Value::int(1)], "1 %!d(MISSING)"),
        (
            "%d",
            vec![Value::int(1), Value::int(2), Value::str("x"), Value::Nil],
            "1%!(EXTRA int=2, string=x, <nil>)",
        ),
        ("%!", vec![], "%!!(MISSING)"),
        ("%", vec![], "%!(NOVERB)"),
        ("%[2]d %[1]d", vec![Value::int(1), Value::int(2)], "2 1"),
        ("%[3]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        (
            "%[2]d %d",
            vec![Value::int(1), Value::int(2), Value::int(3)],
            "2 3",
        ),
        ("%[1]d %[1]q", vec![Value::int(65)], "65 'A'"),
        (
            "%*d|%-*d|%.*f|%*d",
            vec![
                Value::int(5),
                Value::int(1),
                Value::int(5),
                Value::int(1),
                Value::int(2),
                Value::Float(3.14159),
                Value::int(-5),
                Value::int(1),
            ],
            "    1|1    |3.14|1    ",
        ),
        ("%*d", vec![Value::str("x"), Value::int(1)], "%!(BADWIDTH)1"),
        ("%.*d", vec![Value::str("x"), Value::int(1)], "%!(BADPREC)1"),
        ("%.*d", vec![Value::int(-1), Value::int(1)], "%!(BADPREC)1"),
        ("%[0]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        ("%[x]d", vec![Value::int(1)], "%!d(BADINDEX)"),
        ("%[1]*d", vec![Value::int(3), Value::int(1)], "  1"),
        (
            "%[3]*.[2]*[1]f",
            vec![Value::Float(12.0), Value::int(2), Value::int(6)],
            " 12.00",
        ),
        (
            "%d %d %#[1]x %#x",
            vec![Value::int(16), Value::int(17)],
            "16 17 0x10 0x11",
        ),
        (
            "%.d|%5.d|%.f|%.s|%.q",
            vec![
                Value::int(0),
                Value::int(3),
                Value::Float(3.7),
                Value::str("abc"),
                Value::str("abc"),
            ],
            "|    3|4||\"\"",
        ),
        (
            "%-+5d|%0-5d|%-05d|% +d",
            vec![Value::int(3), Value::int(3), Value::int(3), Value::int(3)],
            "+3   |3    |3    |+3",
        ),
        (
            "%v %d %s %x %q %T",
            vec![
                vals("l"),
                vals("l"),
                vals("l"),
                vals("l"),
                vals("l"),
                vals("l"),
            ],
            "[1 a <nil> 1e+06] [%!d(float64=1) %!d(string=a) <nil> %!d(float64=1e+06)] [%!s(float64=1) a <nil> %!s(float64=1e+06)] [0x1p+00 61 <nil> 0x1.e848p+19] [%!q(float64=1) \"a\" <nil> %!q(float64=1e+06)] []interface {}",
        ),
        (
            "%#v|%#v|%#v|%#v|%#v|%#v|%T|%T|%T|%T|%T",
            vec![
                vals("m"),
                vals("l"),
                Value::str("s"),
                Value::int(42),
                Value::Nil,
                Value::Bool(true),
                Value::Nil,
                Value::int(42),
                Value::Float(1.5),
                Value::str("s"),
                vals("e"),
            ],
            "map[string]interface {}{\"a\":1, \"b\":[]interface {}{\"x\", 2.5, interface {}(nil)}, \"c\":\"s\"}|[]interface {}{1, \"a\", interface {}(nil), 1e+06}|\"s\"|42|<nil>|true|<nil>|int|float64|string|map[string]interface {}",
        ),
        (
            "%+v|%5v|%-5v|%05v|%x|%X|%d",
            vec![
                vals("m"),
                vals("m"),
                vals("l"),
                vals("l"),
                vals("m"),
                vals("m"),
                vals("m"),
            ],
            "map[a:1 b:[x 2.5 <nil>] c:s]|map[    a:    1     b:[    x   2.5 <nil>]     c:    s]|[1     a     <nil> 1e+06]|[00001 0000a <nil> 1e+06]|map[61:0x1p+00 62:[78 0x1.4p+01 <nil>] 63:73]|map[61:0X1P+00 62:[78 0X1.4P+01 <nil>] 63:73]|map[%!d(string=a):%!d(float64=1) %!d(string=b):[%!d(string=x) %!d(float64=2.5) <nil>] %!d(string=c):%!d(string=s)]",
        ),
        (
            "%s|%d|%v|%5s|%t|%e|%q",
            vec![
                Value::Nil,
                Value::Nil,
                Value::Nil,
                Value::Nil,
                Value::Nil,
                Value::Nil,
                Value::Nil,
            ],
            "%!s(<nil>)|%!d(<nil>)|<nil>|%!s(<nil>)|%!t(<nil>)|%!e(<nil>)|%!q(<nil>)",
        ),
        (
            "%s|%d|%v|%x|%X|%q|%#v|%T|%o|%c|% x|%#x",
            vec![
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
                bytes(),
            ],
            "hi\u{fffd}é\n|[104 105 255 195 169 10]|[104 105 255 195 169 10]|6869ffc3a90a|6869FFC3A90A|\"hi\\xffé\\n\"|[]byte{0x68, 0x69, 0xff, 0xc3, 0xa9, 0xa}|[]uint8|[150 151 377 303 251 12]|[h i ÿ Ã © \n]|68 69 ff c3 a9 0a|0x6869ffc3a90a",
        ),
        (
            "%5.1s|%.1s|%-8q|%z|%!|%ä",
            vec![
                vals("s"),
                Value::str("日本"),
                Value::str("日本"),
                Value::int(3),
                Value::int(4),
                Value::int(5),
            ],
            "    h|日|\"日本\"    |%!z(int=3)|%!!(int=4)|%!ä(int=5)",
        ),
        (
            "%s %d %v %x",
            vec![
                Value::int64(5),
                Value::int64(-5),
                Value::int64(9223372036854775807),
                Value::int64(-9223372036854775807),
            ],
            "%!s(int64=5) -5 9223372036854775807 -7fffffffffffffff",
        ),
        (
            "%08.3e|%+08d|%x|%X|% d|%+.2e|%+x",
            vec![
                Value::Float(-3.14),
                Value::int(-3),
                Value::str("日本"),
                Value::Float(-1.0),
                Value::int(-3),
                Value::Float(-0.0),
                Value::str("a"),
            ],
            "-3.140e+00|-0000003|e697a5e69cac|-0X1P+00|-3|-0.00e+00|61",
        ),
        ("%w %v", vec![Value::int(1), Value::int(2)], "%!w(int=1) 2"),
        (
            "%6.2f%%|%5%|%-5%|100%%",
            vec![Value::Float(99.5)],
            " 99.50%|%|%|100%",
        ),
    ];
    for (format, args, want) in cases {
        assert_eq!(sprintf(format, &args), want, "format {format:?}");
    }
}

#[test]
fn escapers_and_quote_match_helm() {
    // (input, html, js, urlquery, Sprig quote) rendered by Helm v4.3.1.
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "<a href=\"x\">&'b'</a>\u{0}",
            "&lt;a href=&#34;x&#34;&gt;&amp;&#39;b&#39;&lt;/a&gt;�",
            "\\u003Ca href\\u003D\\\"x\\\"\\u003E\\u0026\\'b\\'\\u003C/a\\u003E\\u0000",
            "%3Ca+href%3D%22x%22%3E%26%27b%27%3C%2Fa%3E%00",
            "\"<a href=\\\"x\\\">&'b'</a>\\x00\"",
        ),
        (
            "héllo wörld ☺ \u{a0}\u{200b}\u{2028}\u{1}\u{7f}😀\u{e0001}",
            "héllo wörld ☺ \u{a0}\u{200b}\u{2028}\u{1}\u{7f}😀\u{e0001}",
            "héllo wörld ☺ \\u00A0\\u200B\\u2028\\u0001\u{7f}😀\\uE0001",
            "h%C3%A9llo+w%C3%B6rld+%E2%98%BA+%C2%A0%E2%80%8B%E2%80%A8%01%7F%F0%9F%98%80%F3%A0%80%81",
            "\"héllo wörld ☺ \\u00a0\\u200b\\u2028\\x01\\x7f😀\\U000e0001\"",
        ),
        (
            "a b&c=d/e?f+g~h_i.j-k%l#m@n$o,p;q:r",
            "a b&amp;c=d/e?f+g~h_i.j-k%l#m@n$o,p;q:r",
            "a b\\u0026c\\u003Dd/e?f+g~h_i.j-k%l#m@n$o,p;q:r",
            "a+b%26c%3Dd%2Fe%3Ff%2Bg~h_i.j-k%25l%23m%40n%24o%2Cp%3Bq%3Ar",
            "\"a b&c=d/e?f+g~h_i.j-k%l#m@n$o,p;q:r\"",
        ),
        (
            "\\ \t\n\r ' \" < > = &",
            "\\ \t\n\r &#39; &#34; &lt; &gt; = &amp;",
            "\\\\ \\u0009\\u000A\\u000D \\' \\\" \\u003C \\u003E \\u003D \\u0026",
            "%5C+%09%0A%0D+%27+%22+%3C+%3E+%3D+%26",
            "\"\\\\ \\t\\n\\r ' \\\" < > = &\"",
        ),
        (
            "日本語",
            "日本語",
            "日本語",
            "%E6%97%A5%E6%9C%AC%E8%AA%9E",
            "\"日本語\"",
        ),
        (
            "\u{378}\u{feff}\u{e000}\u{ad}",
            "\u{378}\u{feff}\u{e000}\u{ad}",
            "\\u0378\\uFEFF\\uE000\\u00AD",
            "%CD%B8%EF%BB%BF%EE%80%80%C2%AD",
            "\"\\u0378\\ufeff\\ue000\\u00ad\"",
        ),
    ];
    for &(s, html, js, query, quoted) in cases {
        assert_eq!(html_escape(s), html, "html {s:?}");
        assert_eq!(js_escape(s), js, "js {s:?}");
        assert_eq!(query_escape(s), query, "urlquery {s:?}");
        assert_eq!(quote(s), quoted, "quote {s:?}");
    }
}

#[test]
fn sprint_and_sprintln_match_helm() {
    let l = vals("l");
    let args = [
        Value::int(1),
        Value::int(2),
        Value::str("a"),
        Value::str("b"),
        Value::int(3),
        Value::Nil,
        Value::Float(4.5),
        vals("m"),
    ];
    assert_eq!(
        sprint(&args),
        "1 2ab3 <nil> 4.5 map[a:1 b:[x 2.5 <nil>] c:s]"
    );
    let args = [Value::Nil, Value::Nil, Value::str("x"), Value::Nil];
    assert_eq!(sprint(&args), "<nil> <nil>x<nil>");
    assert_eq!(
        sprint(&[l.clone(), l]),
        "[1 a <nil> 1e+06] [1 a <nil> 1e+06]"
    );
    assert_eq!(sprint(&[]), "");
    let args = [
        Value::int(1),
        Value::str("a"),
        Value::Nil,
        Value::Float(2.5),
    ];
    assert_eq!(sprintln(&args), "1 a <nil> 2.5\n");
    assert_eq!(sprintln(&[]), "\n");
}
