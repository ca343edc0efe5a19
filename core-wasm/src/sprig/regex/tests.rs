use super::*;

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    super::super::strings::call_fn(register, name, args)
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn text(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(Value::String(s)) => s.to_string(),
        other => panic!("{name}: {other:?}"),
    }
}

fn list(v: Result<Value, String>) -> Vec<String> {
    let v = v.unwrap();
    assert_eq!(v.go_type(), "[]string");
    v.as_list()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn errors_match_go() {
    let must = |p: &str| call("mustRegexFind", vec![s(p), s("x")]).unwrap_err();
    let cases = [
        ("(a", "missing closing ): `(a`"),
        ("a)", "unexpected ): `a)`"),
        ("[a", "missing closing ]: `[a`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("\\q", "invalid escape sequence: `\\q`"),
        ("a{2,1}", "invalid repeat count: `{2,1}`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("(?<=a)", "invalid named capture: `(?<=a)`"),
        ("\\", "trailing backslash at end of expression: ``"),
        ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
        ("x{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("(?i", "invalid or unsupported Perl syntax: `(?i`"),
        ("\\8", "invalid escape sequence: `\\8`"),
    ];
    for (p, want) in cases {
        assert_eq!(must(p), format!("error parsing regexp: {want}"), "{p:?}");
    }
    assert_eq!(
        call("regexFind", vec![s("(a"), s("x")]).unwrap_err(),
        "regexp: Compile(`(a`): error parsing regexp: missing closing ): `(a`"
    );
    assert!(matches!(
        call("regexMatch", vec![s("(a"), s("x")]),
        Ok(Value::Bool(false))
    ));
}

#[test]
fn matching_follows_go() {
    assert_eq!(
        text("regexReplaceAll", vec![s("a*"), s("baaab"), s("-")]),
        "-b-b-"
    );
    let n = |i: i64| Value::int(i);
    assert_eq!(
        list(call("regexFindAll", vec![s("a*"), s("baaab"), n(-1)])),
        ["", "aaa", ""]
    );
    assert_eq!(
        list(call("regexSplit", vec![s("a*"), s("baaab"), n(-1)])),
        ["b", "b"]
    );
    assert_eq!(
        list(call("regexSplit", vec![s(","), s("a,b,c"), n(2)])),
        ["a", "b,c"]
    );
    assert_eq!(list(call("regexSplit", vec![s(","), s(""), n(-1)])), [""]);
    assert_eq!(
        list(call("regexFindAll", vec![s("\\d"), s("1٣2"), n(-1)])),
        ["1", "2"]
    );
    assert_eq!(
        text(
            "regexReplaceAll",
            vec![
                s("(?P<first>\\w+) (\\w+)"),
                s("hello world"),
                s("${2}_$first-$1x-$$-$3-${1")
            ]
        ),
        "world_hello--$--${1"
    );
    assert_eq!(
        text("regexReplaceAllLiteral", vec![s("o"), s("foo"), s("$1")]),
        "f$1$1"
    );
    assert_eq!(
        text("regexQuoteMeta", vec![s("a.b*c-d#e&f~g{h}")]),
        "a\\.b\\*c-d#e&f~g\\{h\\}"
    );
    assert_eq!(text("regexFind", vec![s("a{"), s("xa{y")]), "a{");
    assert_eq!(text("regexFind", vec![s("a{2"), s("a{2")]), "a{2");
    assert_eq!(text("regexFind", vec![s("x{,3}"), s("x{,3}")]), "x{,3}");
    assert_eq!(
        list(call("regexFindAll", vec![s("."), s("abc"), n(2)])),
        ["a", "b"]
    );
    assert!(list(call("regexFindAll", vec![s("."), s("abc"), n(0)])).is_empty());
    assert!(matches!(
        call("regexMatch", vec![s("^\\s$"), s("\u{a0}")]),
        Ok(Value::Bool(false))
    ));
    assert!(matches!(
        call("regexMatch", vec![s("\\bé"), s("aé")]),
        Ok(Value::Bool(true))
    ));
}
