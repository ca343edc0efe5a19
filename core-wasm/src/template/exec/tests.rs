use super::*;
use crate::api::host::FixedHost;

fn run(src: &str, values: Value) -> Result<String, String> {
    let funcs = FuncMap::helm();
    let mut host = FixedHost::default();
    let mut ctx = Ctx::new(&mut host);
    let mut sh = Shared::new(&funcs, &mut ctx, 1 << 20);
    let mut set = TreeSet::default();
    super::super::parse::parse_into(&mut set, "t", src, &|n| sh.is_func(n))?;
    let scope = Scope::new(set);
    let mut top = std::collections::BTreeMap::new();
    top.insert("Values".to_string(), values);
    sh.execute(&scope, "t", Value::map(top))
        .map_err(|e| e.text().to_string())
}

fn vals(pairs: &[(&str, Value)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[test]
fn actions_text_and_control_flow() {
    let v = vals(&[
        ("a", Value::int(1)),
        ("l", Value::list(vec![Value::str("x"), Value::str("y")])),
    ]);
    assert_eq!(run("a={{ .Values.a }}", v.clone()).unwrap(), "a=1");
    assert_eq!(
        run(
            "{{ range $i, $e := .Values.l }}{{ $i }}{{ $e }}{{ end }}",
            v.clone()
        )
        .unwrap(),
        "0x1y"
    );
    assert_eq!(
        run("{{ if .Values.nope }}y{{ else }}n{{ end }}", v.clone()).unwrap(),
        "n"
    );
    assert_eq!(
        run("{{ range 3 }}{{ . }}{{ end }}", v.clone()).unwrap(),
        "012"
    );
    assert_eq!(
        run(
            "{{ range .Values.l }}{{ if eq . \"y\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
            v
        )
        .unwrap(),
        "x"
    );
}

#[test]
fn missing_values_and_nil_pointers() {
    let v = vals(&[]);
    assert_eq!(run("{{ .Values.nope }}", v.clone()).unwrap(), "<no value>");
    assert_eq!(
        run("a: {{ .Values.missing.foo }}", v.clone()).unwrap_err(),
        "template: t:1:13: executing \"t\" at <.Values.missing.foo>: nil pointer evaluating interface {}.foo"
    );
    assert_eq!(
        run("{{ $x := .Values.m }}{{ $x.foo }}", v).unwrap(),
        "<no value>"
    );
}

#[test]
fn and_or_return_the_deciding_operand() {
    let v = vals(&[]);
    assert_eq!(run("{{ and 1 0 \"x\" }}", v.clone()).unwrap(), "0");
    assert_eq!(run("{{ or 0 \"\" \"z\" }}", v).unwrap(), "z");
}

#[test]
fn define_template_and_include() {
    let v = vals(&[("n", Value::str("w"))]);
    let src =
        "{{ define \"x\" }}[{{ .Values.n }}]{{ end }}{{ template \"x\" . }}{{ include \"x\" . }}";
    assert_eq!(run(src, v).unwrap(), "[w][w]");
}

#[test]
fn comparison_errors_name_the_types() {
    assert_eq!(
        run("a: {{ eq 1 \"a\" }}", vals(&[])).unwrap_err(),
        "template: t:1:6: executing \"t\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison: int and string"
    );
}
