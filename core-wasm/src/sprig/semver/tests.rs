use super::*;

#[test]
fn constraints_match_helm() {
    // (constraint, version, result or error) from Helm 4.3.1.
    let cases: &[(&str, &str, Result<bool, &str>)] = &[
        (">=1.19-0", "v1.28.3", Ok(true)),
        (">=1.19-0", "v1.18.0", Ok(false)),
        (">=1.19-0", "v1.19.0-gke.100", Ok(true)),
        (">=1.19-0", "1.19.0-rc.1+build", Ok(true)),
        (">=1.19", "1.19.0-rc.1", Ok(false)),
        (">=1.19", "1.20.0", Ok(true)),
        (">=1.19.0", "v1.25.3-eks-abcdef", Ok(false)),
        ("^1.2.3", "1.2.3", Ok(true)),
        ("^1.2.3", "1.9.0", Ok(true)),
        ("^1.2.3", "2.0.0", Ok(false)),
        ("^1.2.3", "1.2.2", Ok(false)),
        ("^0.2.3", "0.2.9", Ok(true)),
        ("^0.2.3", "0.3.0", Ok(false)),
        ("^0.0.3", "0.0.4", Ok(false)),
        ("^0.0", "0.0.9", Ok(true)),
        ("^0", "0.9.0", Ok(true)),
        ("^1.x", "1.5.0", Ok(true)),
        ("^*", "3.0.0", Ok(false)),
        ("~1.2.3", "1.2.9", Ok(true)),
        ("~1.2.3", "1.3.0", Ok(false)),
        ("~1", "1.9.9", Ok(true)),
        ("~1.2", "1.2.0", Ok(true)),
        ("~>1.2", "1.3.0", Ok(false)),
        ("~0", "0.5.0", Ok(true)),
        ("~*", "5.0.0", Ok(true)),
        ("1.2.x", "1.2.7", Ok(true)),
        ("1.x", "1.7.0", Ok(true)),
        ("1.x", "2.0.0", Ok(false)),
        ("*", "1.0.0", Ok(true)),
        ("*", "1.0.0-alpha", Ok(false)),
        ("x", "0.0.1", Ok(true)),
        ("=1.2.3", "1.2.3", Ok(true)),
        ("1.2.3", "v1.2.3", Ok(true)),
        ("!=1.2.3", "1.2.4", Ok(true)),
        ("!=1.2.x", "1.2.4", Ok(false)),
        ("!=1.2.x", "1.3.0", Ok(true)),
        ("!=1.x", "1.3.0", Ok(false)),
        (">1.2", "1.2.9", Ok(false)),
        (">1.2", "1.3.0", Ok(true)),
        (">1", "1.9.0", Ok(false)),
        (">1", "2.0.0", Ok(true)),
        ("<1.2", "1.1.9", Ok(true)),
        ("<1.2", "1.2.0", Ok(false)),
        ("<=1.2", "1.2.9", Ok(true)),
        ("<=1.2", "1.3.0", Ok(false)),
        ("<=1", "1.9.0", Ok(true)),
        ("<=1.2.3", "1.2.3", Ok(true)),
        ("=>1.0", "1.0.0", Ok(true)),
        ("=<1.0", "1.0.0", Ok(true)),
        (">= 1.2, < 3.0.0", "2.5.0", Ok(true)),
        (">= 1.2 < 3.0.0", "3.0.0", Ok(false)),
        (">=1.2,<3.0.0", "2.5.0", Ok(true)),
        ("1.2 - 1.4.5", "1.4.5", Ok(true)),
        ("1.2 - 1.4.5", "1.4.6", Ok(false)),
        ("1.2.3 - 2", "2.9.9", Ok(true)),
        (">=1.0.0-0 <2.0.0", "1.5.0-beta", Ok(true)),
        ("<2.0.0 >=1.0.0-0", "1.5.0-beta", Ok(true)),
        (">=1.0.0-0 || <0.5", "1.5.0-beta", Ok(true)),
        ("<0.5 || >=1.0.0", "1.5.0-beta", Ok(false)),
        (">1.0.0-alpha", "1.0.0-beta", Ok(true)),
        (">1.0.0-beta", "1.0.0-alpha.10", Ok(false)),
        (">=1.0.0-alpha.2", "1.0.0-alpha.10", Ok(true)),
        (">=1.0.0-rc.1", "1.0.0-rc.1", Ok(true)),
        ("<1.0.0", "1.0.0-rc.1", Ok(false)),
        ("1.2.3 || 2.3.4", "2.3.4", Ok(true)),
        (">= 1.1 <2 || >= 3.0", "3.5.0", Ok(true)),
        ("v1.2.3", "1.2.3", Ok(true)),
        (">=v1.2", "1.3.0", Ok(true)),
        (">=1.2.3+meta", "1.2.3", Ok(true)),
        ("=1.2.3+a", "1.2.3+b", Ok(true)),
        (">=01.2", "1.2.0", Ok(true)),
        ("  >=1.2  ", "1.2.0", Ok(true)),
        (
            ">=1.2.3,",
            "1.2.3",
            Err(r#"improper constraint: ">=1.2.3,""#),
        ),
        (">= 1.2.3 ,<2", "1.2.3", Ok(true)),
        (">=1.2.3 , <2", "1.2.3", Ok(true)),
        (
            "1.2.3 -2",
            "1.2.3",
            Err(r#"improper constraint: "1.2.3 -2""#),
        ),
        ("~1.2.3-beta", "1.2.3-beta.2", Ok(true)),
        ("^1.2.3-beta", "1.3.0-alpha", Ok(true)),
        (">=1.x", "1.0.0", Ok(true)),
        (">1.x", "2.0.0", Ok(true)),
        (">=*", "0.0.0", Ok(true)),
        (">0", "0.0.1-alpha", Ok(false)),
        (">0-0", "0.0.1-alpha", Ok(false)),
        ("1.2.*", "1.2.9", Ok(true)),
        ("=*", "1.0.0", Ok(true)),
        (">=1.0.0-0", "1.0.0", Ok(true)),
    ];
    for (c, v, want) in cases {
        let got = Constraints::parse(c).map(|cs| cs.check(&Version::parse(v).unwrap()));
        assert_eq!(
            got.as_ref().map_err(String::as_str),
            want.as_ref().map_err(|e| *e),
            "{c:?} {v:?}"
        );
    }
}

#[test]
fn version_errors_match_helm() {
    let err = |s: &str| Version::parse(s).unwrap_err();
    assert_eq!(err("1.2.3.4"), "invalid semantic version");
    assert_eq!(err(""), "invalid semantic version");
    assert_eq!(err("1.2.3-01"), "version segment starts with 0");
    assert_eq!(err("1.2.3+a_b"), "invalid semantic version");
    assert_eq!(err("1.2.3-a_b"), "invalid semantic version");
    assert_eq!(err("V1.2"), "invalid semantic version");
    assert_eq!(
        err("99999999999999999999"),
        r#"error parsing version segment: strconv.ParseUint: parsing "99999999999999999999": value out of range"#
    );
    assert_eq!(Version::parse("01.2.3").unwrap().to_string(), "1.2.3");
    let call = |c: &str, v: &str| {
        super::super::strings::call_fn(
            register,
            "semverCompare",
            vec![Value::str(c), Value::str(v)],
        )
    };
    assert_eq!(
        call(">= bad", "1.0.0").unwrap_err(),
        r#"improper constraint: ">= bad""#
    );
    assert_eq!(call(">= 1", "bad").unwrap_err(), "invalid semantic version");
    assert_eq!(call("", "1.0.0").unwrap_err(), r#"improper constraint: """#);
}

#[test]
fn semver_object_matches_helm() {
    let v =
        |s: &str| super::super::strings::call_fn(register, "semver", vec![Value::str(s)]).unwrap();
    let Value::Object(o) = v("v1.2.3-rc.1+b5") else {
        panic!()
    };
    assert_eq!(o.type_name(), "*semver.Version");
    assert_eq!(o.format_v(), "1.2.3-rc.1+b5");
    assert!(matches!(
        o.field("Major"),
        Some(Ok(Value::Int(1, IntKind::Uint64)))
    ));
    assert_eq!(
        o.field("Prerelease").unwrap().unwrap().as_str(),
        Some("rc.1")
    );
    assert_eq!(o.field("Metadata").unwrap().unwrap().as_str(), Some("b5"));
    assert_eq!(
        o.field("Original").unwrap().unwrap().as_str(),
        Some("v1.2.3-rc.1+b5")
    );
    let Value::Object(p) = v("1.2") else { panic!() };
    assert_eq!(p.field("String").unwrap().unwrap().as_str(), Some("1.2.0"));
    let Ok(Value::Object(inc)) = p.field("IncMinor").unwrap() else {
        panic!()
    };
    assert_eq!(inc.format_v(), "1.3.0");
    assert!(matches!(
        p.call_method("Compare", vec![v("1.2.4")]),
        Ok(Value::Int(-1, IntKind::Int))
    ));
    assert!(matches!(
        p.call_method("LessThan", vec![v("1.2.4")]),
        Ok(Value::Bool(true))
    ));
}

#[test]
fn simple_constraints_parse_as_the_patterns_do() {
    // Every combination of operator, blanks, prefix, parts and extras, the shapes the shortcut
    // takes and the near misses it must leave to the patterns.
    let ops = [
        "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^", "==", ">>", "=~", "!",
    ];
    let blanks = ["", " ", "\t"];
    let prefixes = ["", "v"];
    let majors = [
        "1",
        "0",
        "01",
        "x",
        "*",
        "1x",
        "x1",
        "|",
        "",
        "99999999999999999999",
    ];
    let minors = ["2", "X", "02", "", "a"];
    let extras = [
        "", "-0", "-alpha.1", "-rc.01", "-a-b", "-", "-a.", "+b.1", "-0+meta", "+", " ", ",",
        " - 2", "||1", ".",
    ];
    let mut inputs = Vec::new();
    for op in ops {
        for blank in blanks {
            for prefix in prefixes {
                for major in majors {
                    for extra in extras {
                        inputs.push(format!("{op}{blank}{prefix}{major}{extra}"));
                        inputs.push(format!("{blank}{op}{prefix}{major}{extra}"));
                        for minor in minors {
                            inputs.push(format!("{op}{blank}{prefix}{major}.{minor}{extra}"));
                            inputs
                                .push(format!("{op}{blank}{prefix}{major}.{minor}.{minor}{extra}"));
                        }
                    }
                }
            }
        }
    }
    let mut shortcut = 0;
    for input in &inputs {
        if simple_constraint(input).is_some() {
            shortcut += 1;
        }
        assert_eq!(
            format!("{:?}", Constraints::parse(input)),
            format!("{:?}", Constraints::parse_with_patterns(input)),
            "{input:?}"
        );
    }
    // The test must exercise the shortcut, not only the patterns.
    assert!(
        shortcut > inputs.len() / 10,
        "{shortcut} of {}",
        inputs.len()
    );
}
