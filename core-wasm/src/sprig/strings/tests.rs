use super::*;

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    call_fn(register, name, args)
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn i(v: i64) -> Value {
    Value::int(v)
}

fn text(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(Value::String(s)) => s.to_string(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn case_conversions_match_helm() {
    // (input, snakecase, kebabcase, camelcase, swapcase, title, untitle, initials, nospace)
    let cases: &[[&str; 9]] = &[
        [
            "FirstName",
            "first_name",
            "first-name",
            "FirstName",
            "fIRSTnAME",
            "FirstName",
            "firstName",
            "F",
            "FirstName",
        ],
        [
            "HTTPServer",
            "http_server",
            "http-server",
            "Httpserver",
            "httpsERVER",
            "HTTPServer",
            "hTTPServer",
            "H",
            "HTTPServer",
        ],
        [
            "NoHTTPS", "no_https", "no-https", "NoHTTPS", "nOhttps", "NoHTTPS", "noHTTPS", "N",
            "NoHTTPS",
        ],
        [
            "GO_PATH", "go_path", "go-path", "GoPath", "go_path", "GO_PATH", "gO_PATH", "G",
            "GO_PATH",
        ],
        [
            "GO PATH", "go_path", "go-path", "GoPath", "go path", "GO PATH", "gO pATH", "GP",
            "GOPATH",
        ],
        [
            "http2xx", "http_2xx", "http-2xx", "Http2xx", "HTTP2XX", "Http2xx", "http2xx", "h",
            "http2xx",
        ],
        [
            "HTTP20xOK",
            "http_20x_ok",
            "http-20x-ok",
            "Http20xOK",
            "http20Xok",
            "HTTP20xOK",
            "hTTP20xOK",
            "H",
            "HTTP20xOK",
        ],
        [
            "Duration2m3s",
            "duration_2m3s",
            "duration-2m3s",
            "Duration2m3s",
            "dURATION2M3S",
            "Duration2m3s",
            "duration2m3s",
            "D",
            "Duration2m3s",
        ],
        [
            "Bld4Floor3rd",
            "bld4_floor_3rd",
            "bld4-floor-3rd",
            "Bld4Floor3rd",
            "bLD4fLOOR3RD",
            "Bld4Floor3rd",
            "bld4Floor3rd",
            "B",
            "Bld4Floor3rd",
        ],
        [
            "some_words",
            "some_words",
            "some-words",
            "SomeWords",
            "SOME_WORDS",
            "Some_words",
            "some_words",
            "s",
            "some_words",
        ],
        [
            "_complex__case_",
            "_complex__case_",
            "-complex--case-",
            "_Complex_Case_",
            "_COMPLEX__CASE_",
            "_complex__case_",
            "_complex__case_",
            "_",
            "_complex__case_",
        ],
        [
            "GOLANG_IS_GREAT",
            "golang_is_great",
            "golang-is-great",
            "GolangIsGreat",
            "golang_is_great",
            "GOLANG_IS_GREAT",
            "gOLANG_IS_GREAT",
            "G",
            "GOLANG_IS_GREAT",
        ],
        [
            "ÉcoleName",
            "école_name",
            "école-name",
            "ÉcoleName",
            "éCOLEnAME",
            "ÉcoleName",
            "écoleName",
            "Ã",
            "ÉcoleName",
        ],
        [
            "a.b-c d", "a.b_c_d", "a.b-c-d", "A.bCD", "A.B-C D", "A.B-C D", "a.b-c d", "ad",
            "a.b-cd",
        ],
        [
            "hello  world",
            "hello__world",
            "hello--world",
            "Hello World",
            "HELLO  WORLD",
            "Hello  World",
            "hello  world",
            "hw",
            "helloworld",
        ],
        ["x", "x", "x", "X", "X", "X", "x", "x", "x"],
        ["", "", "", "", "", "", "", "", ""],
        ["A", "a", "a", "A", "a", "A", "a", "A", "A"],
        ["aB", "a_b", "a-b", "AB", "Ab", "AB", "aB", "a", "aB"],
        [
            "ABc", "a_bc", "a-bc", "Abc", "abC", "ABc", "aBc", "A", "ABc",
        ],
        [
            "a1B2", "a1_b2", "a1-b2", "A1B2", "A1b2", "A1B2", "a1B2", "a", "a1B2",
        ],
        [
            "foo.Bar", "foo.bar", "foo.bar", "Foo.Bar", "FOO.bAR", "Foo.Bar", "foo.Bar", "f",
            "foo.Bar",
        ],
        [
            "élan_vital",
            "élan_vital",
            "élan-vital",
            "ÉlanVital",
            "ÉLAN_VITAL",
            "Élan_vital",
            "élan_vital",
            "Ã",
            "élan_vital",
        ],
        [
            "Ab__cD", "ab__c_d", "ab--c-d", "Ab_CD", "aB__Cd", "Ab__cD", "ab__cD", "A", "Ab__cD",
        ],
        ["--a", "__a", "--a", "--A", "--A", "--A", "--a", "-", "--a"],
        ["a--", "a__", "a--", "A--", "A--", "A--", "a--", "a", "a--"],
        [
            "under_score-hyphen space",
            "under_score_hyphen_space",
            "under-score-hyphen-space",
            "UnderScoreHyphenSpace",
            "UNDER_SCORE-HYPHEN SPACE",
            "Under_score-Hyphen Space",
            "under_score-hyphen space",
            "us",
            "under_score-hyphenspace",
        ],
        [
            "αβΓδ",
            "αβ_γδ",
            "αβ-γδ",
            "ΑβΓδ",
            "ΑΒγΔ",
            "ΑβΓδ",
            "αβΓδ",
            "Î",
            "αβΓδ",
        ],
        ["1a", "1a", "1a", "1a", "1A", "1a", "1a", "1", "1a"],
        [
            "hello-world foo_bar",
            "hello_world_foo_bar",
            "hello-world-foo-bar",
            "HelloWorldFooBar",
            "HELLO-WORLD FOO_BAR",
            "Hello-World Foo_bar",
            "hello-world foo_bar",
            "hf",
            "hello-worldfoo_bar",
        ],
        [
            "o'neil mc-donald",
            "o'neil_mc_donald",
            "o'neil-mc-donald",
            "O'neilMcDonald",
            "O'NEIL MC-DONALD",
            "O'Neil Mc-Donald",
            "o'neil mc-donald",
            "om",
            "o'neilmc-donald",
        ],
    ];
    let names = [
        "snakecase",
        "kebabcase",
        "camelcase",
        "swapcase",
        "title",
        "untitle",
        "initials",
        "nospace",
    ];
    for case in cases {
        for (k, name) in names.iter().enumerate() {
            assert_eq!(
                text(name, vec![s(case[0])]),
                case[k + 1],
                "{name} {:?}",
                case[0]
            );
        }
    }
}

#[test]
fn slicing_is_byte_based() {
    assert_eq!(text("trunc", vec![i(3), s("abcdef")]), "abc");
    assert_eq!(text("trunc", vec![i(-2), s("abcdef")]), "ef");
    assert_eq!(text("trunc", vec![i(-10), s("abc")]), "abc");
    assert_eq!(text("trunc", vec![i(10), s("abc")]), "abc");
    assert_eq!(text("trunc", vec![i(0), s("abc")]), "");
    assert_eq!(text("substr", vec![i(1), i(3), s("abcdef")]), "bc");
    assert_eq!(text("substr", vec![i(2), i(-1), s("abcdef")]), "cdef");
    assert_eq!(text("substr", vec![i(2), i(99), s("abcdef")]), "cdef");
    assert_eq!(text("substr", vec![i(-1), i(2), s("abcdef")]), "ab");
    let err = |a, b, c: &str| call("substr", vec![i(a), i(b), s(c)]).unwrap_err();
    assert_eq!(
        err(4, 2, "abcdef"),
        "runtime error: slice bounds out of range [4:2]"
    );
    assert_eq!(
        err(-1, 100, "abc"),
        "runtime error: slice bounds out of range [:100] with length 3"
    );
    assert_eq!(
        err(5, 6, "abc"),
        "runtime error: slice bounds out of range [5:3]"
    );
}

#[test]
fn abbreviations_and_wrapping() {
    assert_eq!(text("abbrev", vec![i(5), s("hello world")]), "he...");
    assert_eq!(text("abbrev", vec![i(3), s("hello")]), "hello");
    assert_eq!(text("abbrev", vec![i(20), s("hello")]), "hello");
    assert_eq!(
        text("abbrevboth", vec![i(5), i(10), s("1234567890abcdef")]),
        "...6789..."
    );
    assert_eq!(text("abbrevboth", vec![i(0), i(4), s("abcdefg")]), "a...");
    assert_eq!(
        text("abbrevboth", vec![i(1), i(6), s("abcdefghij")]),
        "abcdefghij"
    );
    assert_eq!(
        text("wrap", vec![i(5), s("hello world foo bar")]),
        "hello\nworld\nfoo\nbar"
    );
    assert_eq!(
        text("wrapWith", vec![i(5), s("\t"), s("Hello World")]),
        "Hello\tWorld"
    );
    assert_eq!(text("wrap", vec![i(3), s("abcdefgh ij")]), "abcdefgh\nij");
    assert_eq!(text("wrap", vec![i(0), s("a b")]), "a\nb");
    assert_eq!(
        text(
            "wrapWith",
            vec![i(10), s("<br>"), s("one two three four five")]
        ),
        "one two<br>three four<br>five"
    );
}

#[test]
fn indent_replace_and_friends() {
    assert_eq!(
        text("indent", vec![i(2), s("a\n\nb\n")]),
        "  a\n  \n  b\n  "
    );
    assert_eq!(text("nindent", vec![i(3), s("x")]), "\n   x");
    assert_eq!(text("indent", vec![i(0), s("q")]), "q");
    assert_eq!(text("replace", vec![s("a"), s("b"), s("banana")]), "bbnbnb");
    assert_eq!(text("replace", vec![s(""), s("-"), s("abc")]), "-a-b-c-");
    assert_eq!(text("plural", vec![s("one"), s("many"), i(1)]), "one");
    assert_eq!(text("plural", vec![s("one"), s("many"), i(0)]), "many");
    assert_eq!(text("repeat", vec![i(3), s("ab")]), "ababab");
    assert_eq!(text("repeat", vec![i(0), s("x")]), "");
    assert_eq!(text("trim", vec![s("  a b \n")]), "a b");
    assert_eq!(text("trimAll", vec![s("$-"), s("$-a$b-$")]), "a$b");
    assert_eq!(text("trimSuffix", vec![s(".x"), s("a.x.x")]), "a.x");
    assert_eq!(text("trimPrefix", vec![s("ab"), s("abab")]), "ab");
    assert_eq!(text("upper", vec![s("aßç")]), "AßÇ");
    assert_eq!(text("lower", vec![s("ÀΣΣ")]), "àσσ");
    assert!(matches!(
        call("contains", vec![s("b"), s("abc")]),
        Ok(Value::Bool(true))
    ));
    assert!(matches!(
        call("hasPrefix", vec![s("a"), s("abc")]),
        Ok(Value::Bool(true))
    ));
    assert!(matches!(
        call("hasSuffix", vec![s("c"), s("abc")]),
        Ok(Value::Bool(true))
    ));
}

#[test]
fn quote_squote_cat_skip_nil() {
    let nums = || {
        vec![
            s("a"),
            i(1),
            Value::Nil,
            Value::Float(2.5),
            Value::Nil,
            s("b"),
            Value::list(vec![i(1), i(2)]),
        ]
    };
    assert_eq!(text("cat", nums()), "a 1 2.5 b [1 2]");
    assert_eq!(text("cat", vec![]), "");
    assert_eq!(
        text(
            "quote",
            vec![
                s("a\"b"),
                i(1),
                Value::Nil,
                Value::Float(1.5),
                Value::Bool(true)
            ]
        ),
        r#""a\"b" "1" "1.5" "true""#
    );
    let m = crate::value::Map::new();
    m.insert("a", Value::Float(1.0));
    assert_eq!(
        text("squote", vec![s("x"), Value::Nil, i(3), Value::Map(m)]),
        "'x' '3' 'map[a:1]'"
    );
    assert_eq!(text("quote", vec![]), "");
}

#[test]
fn split_and_join() {
    let split = call("split", vec![s(","), s("a,b,,c")]).unwrap();
    let m = split.as_map().unwrap();
    assert_eq!(m.go_type(), "map[string]string");
    assert_eq!(m.keys(), vec!["_0", "_1", "_2", "_3"]);
    assert_eq!(m.get("_2").unwrap().as_str(), Some(""));
    let n = call("splitn", vec![s(","), i(2), s("a,b,c")]).unwrap();
    assert_eq!(n.as_map().unwrap().get("_1").unwrap().as_str(), Some("b,c"));
    assert!(
        call("splitn", vec![s(","), i(0), s("a,b")])
            .unwrap()
            .as_map()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        call("splitn", vec![s(","), i(-1), s("a,b")])
            .unwrap()
            .as_map()
            .unwrap()
            .len(),
        2
    );
    assert!(
        call("split", vec![s(""), s("")])
            .unwrap()
            .as_map()
            .unwrap()
            .is_empty()
    );
    let l = call("splitList", vec![s(""), s("abc")]).unwrap();
    assert_eq!(l.go_type(), "[]string");
    assert_eq!(l.as_list().unwrap().len(), 3);
    let join = |v: Value| text("join", vec![s(","), v]);
    assert_eq!(
        text(
            "join",
            vec![
                s("-"),
                Value::list(vec![i(1), s("a"), Value::Nil, Value::Float(2.5)])
            ]
        ),
        "1-a-2.5"
    );
    assert_eq!(
        join(Value::string_list(vec!["x".into(), "y".into()])),
        "x,y"
    );
    assert_eq!(join(s("abc")), "abc");
    assert_eq!(join(i(5)), "5");
    assert_eq!(join(Value::Nil), "");
    assert_eq!(join(Value::list(vec![])), "");
}

#[test]
fn shuffle_keeps_the_runes() {
    let out = text("shuffle", vec![s("héllo wörld")]);
    let mut a: Vec<char> = out.chars().collect();
    let mut b: Vec<char> = "héllo wörld".chars().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}
