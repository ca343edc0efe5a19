//! Sprig: reflection (`typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`, `deepEqual`).

use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("typeOf", &[Ty::Any], type_of),
        Func::new("typeIs", &[Ty::String, Ty::Any], type_is),
        Func::new("typeIsLike", &[Ty::String, Ty::Any], type_is_like),
        Func::new("kindOf", &[Ty::Any], kind_of),
        Func::new("kindIs", &[Ty::String, Ty::Any], kind_is),
        Func::new("deepEqual", &[Ty::Any, Ty::Any], deep_equal),
    ]);
}

fn type_of(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(args[0].go_type()))
}

fn type_is(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(
        args[0].as_str() == Some(args[1].go_type().as_str()),
    ))
}

/// `typeIsLike`: the type name, or a pointer to it.
fn type_is_like(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let target = args[0].as_str().unwrap_or_default();
    let actual = args[1].go_type();
    Ok(Value::Bool(
        actual == target || actual.strip_prefix('*') == Some(target),
    ))
}

fn kind_of(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::str(args[0].kind_name()))
}

fn kind_is(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(args[0].as_str() == Some(args[1].kind_name())))
}

fn deep_equal(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Bool(args[0].deep_equal(&args[1])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::value::Map;

    fn call(name: &str, args: Vec<Value>) -> Value {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let f = funcs.iter().find(|f| f.name == name).unwrap();
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        (f.call)(&mut ctx, args).unwrap()
    }

    fn text(name: &str, args: Vec<Value>) -> String {
        call(name, args).as_str().unwrap().to_string()
    }

    fn yes(name: &str, args: Vec<Value>) -> bool {
        matches!(call(name, args), Value::Bool(true))
    }

    #[test]
    fn types_and_kinds() {
        // Oracle: typeOf/kindOf of values-file numbers, maps, lists, splitList and nil.
        assert_eq!(text("typeOf", vec![Value::Float(1.5)]), "float64");
        assert_eq!(text("typeOf", vec![Value::Nil]), "<nil>");
        assert_eq!(
            text("typeOf", vec![Value::Map(Map::new())]),
            "map[string]interface {}"
        );
        assert_eq!(text("typeOf", vec![Value::list(vec![])]), "[]interface {}");
        assert_eq!(text("typeOf", vec![Value::string_list(vec![])]), "[]string");
        assert_eq!(text("kindOf", vec![Value::Nil]), "invalid");
        assert_eq!(text("kindOf", vec![Value::string_list(vec![])]), "slice");
        assert_eq!(text("kindOf", vec![Value::Map(Map::new())]), "map");
        assert_eq!(text("kindOf", vec![Value::int64(1)]), "int64");
        assert!(yes("typeIs", vec![Value::str("<nil>"), Value::Nil]));
        assert!(yes("kindIs", vec![Value::str("invalid"), Value::Nil]));
        assert!(!yes("typeIsLike", vec![Value::str("string"), Value::Nil]));
        assert!(yes(
            "typeIsLike",
            vec![Value::str("string"), Value::str("x")]
        ));
        assert!(yes("typeIs", vec![Value::str("int"), Value::int(1)]));
        assert!(!yes("typeIs", vec![Value::str("int"), Value::int64(1)]));
    }

    #[test]
    fn deep_equal_is_reflect_deep_equal() {
        assert!(yes("deepEqual", vec![Value::Nil, Value::Nil]));
        assert!(!yes("deepEqual", vec![Value::int(1), Value::Float(1.0)]));
        let a = Value::list(vec![Value::str("a")]);
        assert!(yes("deepEqual", vec![a.clone(), a]));
    }
}
