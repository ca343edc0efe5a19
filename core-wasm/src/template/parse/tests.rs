use super::*;

fn parse_one(src: &str) -> Result<TreeSet, String> {
    let mut set = TreeSet::default();
    parse_into(&mut set, "t.yaml", src, &|n| n == "f" || n == "printf")?;
    Ok(set)
}

#[test]
fn fields_chain_take_the_position_of_the_second_field() {
    let set = parse_one("a: {{ .Values.s.x }}").unwrap();
    let t = set["t.yaml"].tree().unwrap();
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

/// The helm function map's names, as the render's parser sees them.
fn helm_func(name: &str) -> bool {
    use crate::template::func::FuncMap;
    thread_local!(static FUNCS: FuncMap = FuncMap::helm());
    crate::template::exec::is_builtin(name)
        || name == "include"
        || name == "tpl"
        || FUNCS.with(|f| f.contains(name))
}

/// Parse `files` in order into one set, lazily or not: the error, or every template's name
/// and tree (built now, for the lazy set).
fn parse_files(files: &[(&str, &str)], lazy: bool) -> Result<Vec<String>, String> {
    let mut set = TreeSet::default();
    for (name, text) in files {
        parse_file(&mut set, name, text, &helm_func, lazy)?;
    }
    let mut out: Vec<String> = set
        .iter()
        .map(|(n, t)| {
            let t = t.tree().expect("a checked body parses");
            format!("{n} {} {} {:?}", t.name, t.parse_name, t.root)
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Whether the lazy pass alone accepts `text` (no full parse needed).
fn skim_accepts(text: &str) -> bool {
    let mut p = Parser::new(Lexer::lex(text), Rc::from("t.yaml"), &helm_func);
    p.lazy = true;
    p.parse().is_ok()
}

fn assert_same(files: &[(&str, &str)]) {
    assert_eq!(
        parse_files(files, true),
        parse_files(files, false),
        "lazy and full parses differ on {files:?}"
    );
}

#[test]
fn lazy_defines_build_the_same_trees() {
    let src = "{{- define \"a\" -}}\n  x: {{ .Values.x | quote }}\n{{- end }}\n\
               {{ define \"b\" }}{{ range $i, $e := .l }}{{ if eq $i 0 }}{{ continue }}{{ else if \
               $e }}{{ $e }}{{ else }}{{ break }}{{ end }}{{ end }}{{ end }}\n\
               {{ define \"c\" }}{{ with $x := (list 1 \"\\t\" 'c' 0x1F 1e3 nil true) }}\
               {{ $x = 2 }}{{ (index $x 0).a.b }}{{ template \"a\" . }}{{ end }}{{ end }}\n\
               {{ define \"d\" }}  \n {{/* comment */}} {{- end }}top {{ template \"d\" }}";
    assert!(skim_accepts(src));
    assert_same(&[("t.yaml", src)]);
}

#[test]
fn lazy_defines_keep_go_redefinition_rules() {
    let a = "{{ define \"x\" }}from-a{{ end }}{{ define \"e\" }}kept{{ end }}";
    let b = "{{ define \"x\" }}from-b{{ end }}{{ define \"e\" }} \n {{ end }}";
    assert_same(&[("a.tpl", a), ("b.tpl", b)]);
    assert_same(&[("b.tpl", b), ("a.tpl", a)]);
    // In one file: an empty body is replaced, a second non-empty one is an error.
    assert_same(&[(
        "t.tpl",
        "{{ define \"x\" }} {{ end }}{{ define \"x\" }}y{{ end }}",
    )]);
    let twice = "{{ define \"x\" }}y{{ end }}\n{{ define \"x\" }}z{{ end }}";
    assert_same(&[("t.tpl", twice)]);
    assert!(parse_files(&[("t.tpl", twice)], true).is_err());
}

#[test]
fn lazy_parse_reports_errors_in_unused_defines_as_the_full_parse() {
    for body in [
        "{{ .x",
        "{{ nofunc }}",
        "{{ $undefined }}",
        "{{ if }}{{ end }}",
        "{{ break }}",
        "{{ \"x\".y }}",
        "{{ .a | 1 }}",
        "{{ \"\\q\" }}",
        "{{ 0x }}",
        "{{ else }}",
        "{{ define \"n\" }}{{ end }}",
        "{{ block \"blk\" . }}b{{ end }}",
        "{{ range $a, $b, $c := . }}{{ end }}",
        "{{ with }}{{ end }}",
        "{{ ( }}",
        "{{ template \"a\" | }}",
    ] {
        let src = format!("ok: 1\n{{{{ define \"unused\" }}}}\n{body}\n{{{{ end }}}}\n");
        assert_same(&[("t.yaml", &src)]);
    }
}

/// The chart suite's templates, and every one of them broken at several places (a character
/// removed, the text cut short, a stray `}}` or `{{` added): the lazy parse must give the full
/// parse's trees and errors each time, and vouch by itself for every file that parses (one
/// suite chart has a syntax error on purpose).
#[test]
fn lazy_parse_matches_the_full_parse_on_the_chart_suite() {
    let suite = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/charts-suite");
    let mut files = Vec::new();
    collect_templates(&suite, &mut files);
    assert!(files.len() > 100, "only {} templates found", files.len());
    let mut broken = 0;
    for (path, text) in &files {
        let parses = parse_files(&[(path, text)], false).is_ok();
        assert!(
            !parses || skim_accepts(text),
            "the check gives up on {path}"
        );
        assert_same(&[(path, text)]);
        let step = (text.len() / 6).max(1);
        for at in (0..text.len()).step_by(step) {
            if !text.is_char_boundary(at) {
                continue;
            }
            let next = text[at..].chars().next().map_or(0, char::len_utf8);
            for variant in [
                format!("{}{}", &text[..at], &text[at + next..]),
                text[..at].to_string(),
                format!("{}}}}}{}", &text[..at], &text[at..]),
                format!("{}{{{{{}", &text[..at], &text[at..]),
            ] {
                assert_same(&[(path, &variant)]);
                broken += 1;
            }
        }
    }
    assert!(broken > 5_000, "only {broken} variants");
}

fn collect_templates(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_templates(&p, out);
        } else if p.components().any(|c| c.as_os_str() == "templates")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push((p.display().to_string(), text));
        }
    }
}
