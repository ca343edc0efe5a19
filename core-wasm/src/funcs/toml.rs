//! Helm's TOML functions over the TOML codec (`crate::toml`).

use crate::json::error_map;
use crate::template::func::{Ctx, Func};
use crate::toml::{from_toml, to_toml};
use crate::value::{Ty, Value};

/// Helm's TOML functions.
pub fn register(out: &mut Vec<Func>) {
    const ANY: &[Ty] = &[Ty::Any];
    out.extend([
        // Helm's toToml returns the error text in place of the document.
        Func::new("toToml", ANY, |_: &mut Ctx<'_>, a| match &a[0] {
            Value::Nil => to_toml(&a[0]).map(Value::from),
            v => Ok(Value::from(to_toml(v).unwrap_or_else(|e| e))),
        }),
        Func::new("mustToToml", ANY, |_: &mut Ctx<'_>, a| {
            to_toml(&a[0]).map(Value::from)
        }),
        Func::new("fromToml", &[Ty::String], |_: &mut Ctx<'_>, a| {
            Ok(from_toml(a[0].as_str().unwrap_or_default()).unwrap_or_else(error_map))
        }),
    ]);
}
