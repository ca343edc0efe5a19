//! Helm's YAML functions over the YAML codec (`crate::yaml`).

use crate::template::func::{Ctx, Func};
use crate::value::{Map, Ty, Value};
use crate::yaml::{parse_list, parse_map, to_yaml, to_yaml_pretty};

fn to_yaml_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    // Helm's toYaml swallows marshalling errors and returns "".
    Ok(Value::from(to_yaml(&args[0]).unwrap_or_default()))
}

fn to_yaml_pretty_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(to_yaml_pretty(&args[0]).unwrap_or_default()))
}

fn must_to_yaml(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    to_yaml(&args[0]).map(Value::from)
}

fn from_yaml(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let src = args[0].as_str().unwrap_or_default();
    Ok(Value::Map(parse_map(src).unwrap_or_else(|e| {
        let m = Map::new();
        m.insert("Error", Value::from(e));
        m
    })))
}

fn from_yaml_array(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let src = args[0].as_str().unwrap_or_default();
    Ok(Value::list(
        parse_list(src).unwrap_or_else(|e| vec![Value::from(e)]),
    ))
}

/// Helm's YAML functions (`toYaml`, `toYamlPretty`, `mustToYaml`, `fromYaml`, `fromYamlArray`).
pub fn register(out: &mut Vec<Func>) {
    out.push(Func::new("toYaml", &[Ty::Any], to_yaml_fn));
    out.push(Func::new("toYamlPretty", &[Ty::Any], to_yaml_pretty_fn));
    out.push(Func::new("mustToYaml", &[Ty::Any], must_to_yaml));
    out.push(Func::new("fromYaml", &[Ty::String], from_yaml));
    out.push(Func::new("fromYamlArray", &[Ty::String], from_yaml_array));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::yaml::tests::json;

    #[test]
    fn template_functions() {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let call = |name: &str, arg: &str| {
            let f = funcs.iter().find(|f| f.name == name).unwrap();
            let mut host = FixedHost::default();
            let mut ctx = Ctx::new(&mut host);
            json(&(f.call)(&mut ctx, vec![Value::str(arg)]).unwrap())
        };
        // Oracle: fromYamlArray of a list, a map, "" and broken input.
        assert_eq!(call("fromYamlArray", "- 1\n- x"), "[1,\"x\"]");
        assert_eq!(
            call("fromYamlArray", "a: 1"),
            "[\"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}\"]"
        );
        assert_eq!(call("fromYamlArray", ""), "[]");
        assert_eq!(
            call("fromYamlArray", "[1"),
            "[\"error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'\"]"
        );
        assert_eq!(call("fromYaml", ""), "{}");
        assert_eq!(call("fromYaml", "a: 1\n---\nb: 2"), "{\"a\":1}");
        assert_eq!(call("toYaml", "x"), "\"x\"");
        let names: Vec<_> = funcs.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "toYaml",
                "toYamlPretty",
                "mustToYaml",
                "fromYaml",
                "fromYamlArray"
            ]
        );
    }
}
