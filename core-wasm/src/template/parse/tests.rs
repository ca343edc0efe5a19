use super::*;

fn parse_one(src: &str) -> Result<TreeSet, String> {
    let mut set = TreeSet::new();
    parse_into(&mut set, "t.yaml", src, &|n| n == "f" || n == "printf")?;
    Ok(set)
}

#[test]
fn fields_chain_take_the_position_of_the_second_field() {
    let set = parse_one("a: {{ .Values.s.x }}").unwrap();
    let t = &set["t.yaml"];
    let Node::Action { pipe, .. } = &t.root[1] else {
        panic!()
    };
    let arg = &pipe.cmds[0].args[0];
    assert_eq!(arg.to_string(), ".Values.s.x");
    assert_eq!(t.location(arg.pos()), "t.yaml:1:13");
}

#[test]
fn errors_name_the_line() {
    assert_eq!(
        parse_one("a\n{{ g }}").unwrap_err(),
        "template: t.yaml:2: function \"g\" not defined"
    );
    assert_eq!(
        parse_one("{{ .x").unwrap_err(),
        "template: t.yaml:1: unclosed action"
    );
    assert_eq!(
        parse_one("{{ end }}").unwrap_err(),
        "template: t.yaml:1: unexpected {{end}}"
    );
    assert_eq!(
        parse_one("{{ $x }}").unwrap_err(),
        "template: t.yaml:1: undefined variable \"$x\""
    );
}

#[test]
fn defines_are_collected() {
    let set = parse_one("{{ define \"a\" }}x{{ end }}{{ define \"b\" }}y{{ end }}").unwrap();
    assert!(set.contains_key("a") && set.contains_key("b"));
}

#[test]
fn numbers_follow_go() {
    let n = parse_number("0x1F", Kind::Number).unwrap();
    assert!(n.is_int && n.int == 31);
    let n = parse_number("1.0", Kind::Number).unwrap();
    assert!(n.is_int && n.is_float);
    let n = parse_number("1_000", Kind::Number).unwrap();
    assert_eq!(n.int, 1000);
    let n = parse_number("'a'", Kind::CharConstant).unwrap();
    assert_eq!(n.int, 97);
    let n = parse_number("010", Kind::Number).unwrap();
    assert_eq!(n.int, 8);
}
