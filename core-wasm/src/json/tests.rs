use std::rc::Rc;

use super::*;
use crate::value::List;

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn floats(xs: &[f64]) -> Value {
    Value::list(xs.iter().map(|&f| Value::Float(f)).collect())
}

/// The chart values the oracle rendered with (YAML numbers are float64).
fn sample() -> Value {
    map(vec![
        ("z", Value::Float(1.0)),
        (
            "b",
            Value::list(vec![
                Value::Float(1.0),
                Value::Float(2.5),
                Value::str("x"),
                Value::Nil,
                Value::Bool(true),
                map(vec![]),
                Value::list(vec![]),
            ]),
        ),
        ("<&>", Value::str("<a&b>")),
        ("e", map(vec![])),
    ])
}

const TEXT: &str =
    "tab\there\nnl \r \u{8} \u{c} \u{1} \u{1f} \u{7f} \u{2028} \u{2029} é 😀 \" \\ / <>&'";

#[test]
fn to_json_matches_helm() {
    // Expected outputs rendered by Helm v4.3.1 (toJson, toPrettyJson, toRawJson).
    let a = sample();
    assert_eq!(
        to_json(&a).unwrap(),
        r#"{"\u003c\u0026\u003e":"\u003ca\u0026b\u003e","b":[1,2.5,"x",null,true,{},[]],"e":{},"z":1}"#
    );
    assert_eq!(
        to_json_pretty(&a).unwrap(),
        "{\n  \"\\u003c\\u0026\\u003e\": \"\\u003ca\\u0026b\\u003e\",\n  \"b\": [\n    1,\n    2.5,\n    \"x\",\n    null,\n    true,\n    {},\n    []\n  ],\n  \"e\": {},\n  \"z\": 1\n}"
    );
    assert_eq!(
        to_raw_json(&a).unwrap(),
        r#"{"<&>":"<a&b>","b":[1,2.5,"x",null,true,{},[]],"e":{},"z":1}"#
    );
    let f = floats(&[
        0.000001,
        0.0000001,
        1e20,
        1e21,
        123456789.0,
        -0.0,
        1.5e-7,
        1e-10,
        3.0,
        1e6,
        12345678901234567890.0,
        0.1,
        f64::MAX,
        5e-324,
    ]);
    assert_eq!(
        to_json(&f).unwrap(),
        "[0.000001,1e-7,100000000000000000000,1e+21,123456789,-0,1.5e-7,1e-10,3,1000000,12345678901234567000,0.1,1.7976931348623157e+308,5e-324]"
    );
    assert_eq!(
        to_json(&Value::str(TEXT)).unwrap(),
        "\"tab\\there\\nnl \\r \\b \\f \\u0001 \\u001f \u{7f} \\u2028 \\u2029 é 😀 \\\" \\\\ / \\u003c\\u003e\\u0026'\""
    );
    assert_eq!(
        to_raw_json(&Value::str(TEXT)).unwrap(),
        "\"tab\\there\\nnl \\r \\b \\f \\u0001 \\u001f \u{7f} \\u2028 \\u2029 é 😀 \\\" \\\\ / <>&'\""
    );
    assert_eq!(to_json(&Value::Nil).unwrap(), "null");
    assert_eq!(to_json(&Value::list(vec![])).unwrap(), "[]");
    assert_eq!(to_json_pretty(&map(vec![])).unwrap(), "{}");
    assert_eq!(to_json_pretty(&Value::list(vec![])).unwrap(), "[]");
    assert_eq!(to_json(&Value::int(5)).unwrap(), "5");
    assert_eq!(to_json_pretty(&Value::str("x")).unwrap(), "\"x\"");
    let l = Value::list(vec![Value::int(1), Value::str("a"), Value::Nil]);
    assert_eq!(to_json(&l).unwrap(), r#"[1,"a",null]"#);
    let nested = Value::list(vec![
        Value::list(vec![]),
        map(vec![]),
        map(vec![("a", Value::list(vec![Value::int(1)]))]),
    ]);
    assert_eq!(
        to_json_pretty(&nested).unwrap(),
        "[\n  [],\n  {},\n  {\n    \"a\": [\n      1\n    ]\n  }\n]"
    );
    let bytes = Value::Bytes(Rc::from(&b"hi\xff\xc3\xa9\n"[..]));
    assert_eq!(to_json(&bytes).unwrap(), "\"aGn/w6kK\"");
    let typed = Value::List(List::typed(
        vec![Value::str("a")],
        crate::value::Elem::String,
    ));
    assert_eq!(to_json(&typed).unwrap(), r#"["a"]"#);
}

#[test]
fn unsupported_floats_are_errors() {
    // Helm: `mustToJson (float64 "NaN")` fails with this text; `toJson` gives "".
    assert_eq!(
        to_json(&Value::Float(f64::NAN)).unwrap_err(),
        "json: unsupported value: NaN"
    );
    assert_eq!(
        to_raw_json(&Value::list(vec![Value::Float(f64::INFINITY)])).unwrap_err(),
        "json: unsupported value: +Inf"
    );
}

#[test]
fn decoding_matches_helm() {
    // (input, `fromJson input | toJson`, `fromJsonArray input | toJson`) from Helm v4.3.1.
    let cases: &[(&str, &str, &str)] = &[
        (
            "{\"a\":1,\"b\":[1,2.5,\"x\",null,true,{},[]],\"c\":{\"d\":\"e\"}}",
            "{\"a\":1,\"b\":[1,2.5,\"x\",null,true,{},[]],\"c\":{\"d\":\"e\"}}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "  {\"a\" : 1 , \"a\": 2}  ",
            "{\"a\":2}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"s\":\"\\u00e9\\ud83d\\ude00\\ud800x\\n\\/\\\"\\\\\\b\\f\\r\\t\",\"n\":-1.5e3,\"z\":0,\"e\":1E+2}",
            "{\"e\":100,\"n\":-1500,\"s\":\"é😀�x\\n/\\\"\\\\\\b\\f\\r\\t\",\"z\":0}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "   ",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\"",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\":",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\":1",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\":1,",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\" 1}",
            "{\"Error\":\"invalid character '1' after object key\"}",
            "[\"invalid character '1' after object key\"]",
        ),
        (
            "{\"a\":1 \"b\":2}",
            "{\"Error\":\"invalid character '\\\"' after object key:value pair\"}",
            "[\"invalid character '\\\"' after object key:value pair\"]",
        ),
        (
            "{1:2}",
            "{\"Error\":\"invalid character '1' looking for beginning of object key string\"}",
            "[\"invalid character '1' looking for beginning of object key string\"]",
        ),
        (
            "{\"a\":1,}",
            "{\"Error\":\"invalid character '}' looking for beginning of object key string\"}",
            "[\"invalid character '}' looking for beginning of object key string\"]",
        ),
        (
            "[1,2",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "[1 2]",
            "{\"Error\":\"invalid character '2' after array element\"}",
            "[\"invalid character '2' after array element\"]",
        ),
        (
            "[1,]",
            "{\"Error\":\"invalid character ']' looking for beginning of value\"}",
            "[\"invalid character ']' looking for beginning of value\"]",
        ),
        (
            "x",
            "{\"Error\":\"invalid character 'x' looking for beginning of value\"}",
            "[\"invalid character 'x' looking for beginning of value\"]",
        ),
        (
            "{\"a\":tru}",
            "{\"Error\":\"invalid character '}' in literal true (expecting 'e')\"}",
            "[\"invalid character '}' in literal true (expecting 'e')\"]",
        ),
        (
            "{\"a\":trux}",
            "{\"Error\":\"invalid character 'x' in literal true (expecting 'e')\"}",
            "[\"invalid character 'x' in literal true (expecting 'e')\"]",
        ),
        (
            "{\"a\":nul}",
            "{\"Error\":\"invalid character '}' in literal null (expecting 'l')\"}",
            "[\"invalid character '}' in literal null (expecting 'l')\"]",
        ),
        (
            "{\"a\":fals}",
            "{\"Error\":\"invalid character '}' in literal false (expecting 'e')\"}",
            "[\"invalid character '}' in literal false (expecting 'e')\"]",
        ),
        (
            "{\"a\":-}",
            "{\"Error\":\"invalid character '}' in numeric literal\"}",
            "[\"invalid character '}' in numeric literal\"]",
        ),
        (
            "{\"a\":01}",
            "{\"Error\":\"invalid character '1' after object key:value pair\"}",
            "[\"invalid character '1' after object key:value pair\"]",
        ),
        (
            "{\"a\":1.}",
            "{\"Error\":\"invalid character '}' in numeric literal\"}",
            "[\"invalid character '}' in numeric literal\"]",
        ),
        (
            "{\"a\":1.x}",
            "{\"Error\":\"invalid character 'x' in numeric literal\"}",
            "[\"invalid character 'x' in numeric literal\"]",
        ),
        (
            "{\"a\":1e}",
            "{\"Error\":\"invalid character '}' in numeric literal\"}",
            "[\"invalid character '}' in numeric literal\"]",
        ),
        (
            "{\"a\":1e+}",
            "{\"Error\":\"invalid character '}' in numeric literal\"}",
            "[\"invalid character '}' in numeric literal\"]",
        ),
        (
            "{\"a\":1ex}",
            "{\"Error\":\"invalid character 'x' in numeric literal\"}",
            "[\"invalid character 'x' in numeric literal\"]",
        ),
        (
            "{\"a\":\"x\ny\"}",
            "{\"Error\":\"invalid character '\\\\n' in string\"}",
            "[\"invalid character '\\\\n' in string\"]",
        ),
        (
            "{\"a\":\"\\x\"}",
            "{\"Error\":\"invalid escape sequence `\\\\x` in string\"}",
            "[\"invalid escape sequence `\\\\x` in string\"]",
        ),
        (
            "{\"a\":\"\\u12g4\"}",
            "{\"Error\":\"invalid escape sequence `\\\\u12g4` in string\"}",
            "[\"invalid escape sequence `\\\\u12g4` in string\"]",
        ),
        (
            "{\"a\":\"abc",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{} x",
            "{\"Error\":\"invalid character 'x' after top-level value\"}",
            "[\"invalid character 'x' after top-level value\"]",
        ),
        (
            "{}}",
            "{\"Error\":\"invalid character '}' after top-level value\"}",
            "[\"invalid character '}' after top-level value\"]",
        ),
        (
            "{'a':1}",
            "{\"Error\":\"invalid character '\\\\'' looking for beginning of object key string\"}",
            "[\"invalid character '\\\\'' looking for beginning of object key string\"]",
        ),
        (
            "{\"a\":1e400}",
            "{\"Error\":\"json: cannot unmarshal number 1e400 into Go struct field .a of type float64\",\"a\":0}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":é}",
            "{\"Error\":\"invalid character 'é' looking for beginning of value\"}",
            "[\"invalid character 'é' looking for beginning of value\"]",
        ),
        (
            "{\"a\":\t}",
            "{\"Error\":\"invalid character '}' looking for beginning of value\"}",
            "[\"invalid character '}' looking for beginning of value\"]",
        ),
        (
            "[1]",
            "{\"Error\":\"json: cannot unmarshal array into Go value of type map[string]interface {}\"}",
            "[1]",
        ),
        (
            "\"x\"",
            "{\"Error\":\"json: cannot unmarshal string into Go value of type map[string]interface {}\"}",
            "[\"json: cannot unmarshal string into Go value of type []interface {}\"]",
        ),
        (
            "5",
            "{\"Error\":\"json: cannot unmarshal number into Go value of type map[string]interface {}\"}",
            "[\"json: cannot unmarshal number into Go value of type []interface {}\"]",
        ),
        (
            "true",
            "{\"Error\":\"json: cannot unmarshal bool into Go value of type map[string]interface {}\"}",
            "[\"json: cannot unmarshal bool into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":[1,{\"b\":[]}]}",
            "{\"a\":[1,{\"b\":[]}]}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":\"\\u2028<>&\"}",
            "{\"a\":\"\\u2028\\u003c\\u003e\\u0026\"}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":-0}",
            "{\"a\":-0}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":1.0e-7}",
            "{\"a\":1e-7}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":\"\\u12\"}",
            "{\"Error\":\"invalid escape sequence `\\\\u12\\\"}` in string\"}",
            "[\"invalid escape sequence `\\\\u12\\\"}` in string\"]",
        ),
        (
            "{\"a\":\"\\u12",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\":\"\\ud83d\\u0041\"}",
            "{\"a\":\"�A\"}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":{\"b\":[1,{\"c\":1e400}]}}",
            "{\"Error\":\"json: cannot unmarshal number 1e400 into Go struct field .a.b.1.c of type float64\",\"a\":{\"b\":[1,{\"c\":0}]}}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":[1e400]}",
            "{\"Error\":\"json: cannot unmarshal number 1e400 into .a.0 of type float64\",\"a\":[0]}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":1e400,\"b\":-1e400}",
            "{\"Error\":\"json: cannot unmarshal number 1e400 into Go struct field .a of type float64\",\"a\":0,\"b\":0}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":\"\\",
            "{\"Error\":\"unexpected end of JSON input\"}",
            "[\"unexpected end of JSON input\"]",
        ),
        (
            "{\"a\":\"\\u\"}",
            "{\"Error\":\"invalid escape sequence `\\\\u\\\"}` in string\"}",
            "[\"invalid escape sequence `\\\\u\\\"}` in string\"]",
        ),
        (
            "{\"a\":\"\\uZ\"}",
            "{\"Error\":\"invalid escape sequence `\\\\uZ\\\"}` in string\"}",
            "[\"invalid escape sequence `\\\\uZ\\\"}` in string\"]",
        ),
        (
            "{\"a\":\"x\u{1}\"}",
            "{\"Error\":\"invalid character '\\\\x01' in string\"}",
            "[\"invalid character '\\\\x01' in string\"]",
        ),
        (
            "[-01]",
            "{\"Error\":\"invalid character '1' after array element\"}",
            "[\"invalid character '1' after array element\"]",
        ),
        (
            "{\"a\":.5}",
            "{\"Error\":\"invalid character '.' looking for beginning of value\"}",
            "[\"invalid character '.' looking for beginning of value\"]",
        ),
        (
            "{\"a\":-a}",
            "{\"Error\":\"invalid character 'a' in numeric literal\"}",
            "[\"invalid character 'a' in numeric literal\"]",
        ),
        (
            "{\"a\\u0000b\":1}",
            "{\"a\\u0000b\":1}",
            "[\"json: cannot unmarshal object into Go value of type []interface {}\"]",
        ),
        (
            "{\"a\":[[[]]]]}",
            "{\"Error\":\"invalid character ']' after object key:value pair\"}",
            "[\"invalid character ']' after object key:value pair\"]",
        ),
        (
            "[1,[1e400]]",
            "{\"Error\":\"json: cannot unmarshal array into Go value of type map[string]interface {}\"}",
            "[\"json: cannot unmarshal number 1e400 into .1.0 of type float64\"]",
        ),
        (
            "[[1e400]]",
            "{\"Error\":\"json: cannot unmarshal array into Go value of type map[string]interface {}\"}",
            "[\"json: cannot unmarshal number 1e400 into .0.0 of type float64\"]",
        ),
    ];
    for &(doc, obj, arr) in cases {
        assert_eq!(
            to_json(&from_json_map(doc)).unwrap(),
            obj,
            "fromJson {doc:?}"
        );
        assert_eq!(
            to_json(&from_json_list(doc)).unwrap(),
            arr,
            "fromJsonArray {doc:?}"
        );
    }
}

#[test]
fn decoding_keeps_go_types() {
    let v = from_json(r#"{"a":[1,2.5,"x",null,true]}"#).unwrap();
    assert_eq!(crate::go::format_v(&v), "map[a:[1 2.5 x <nil> true]]");
    assert_eq!(
        from_json("[1,2").unwrap_err(),
        "unexpected end of JSON input"
    );
    let deep = "[".repeat(20_000);
    assert!(from_json(&deep).unwrap_err().contains("exceeded max depth"));
}
