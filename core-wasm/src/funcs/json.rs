//! Helm's and Sprig's JSON functions over the JSON codec (`crate::json`).

use crate::json::{from_json, from_json_list, from_json_map, to_json, to_json_pretty, to_raw_json};
use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

/// Helm's and Sprig's JSON functions (Helm's override Sprig's of the same name).
pub fn register(out: &mut Vec<Func>) {
    const ANY: &[Ty] = &[Ty::Any];
    const STR: &[Ty] = &[Ty::String];
    out.extend([
        // Helm swallows marshal errors in toJson.
        Func::new("toJson", ANY, |_: &mut Ctx<'_>, a| {
            Ok(Value::from(to_json(&a[0]).unwrap_or_default()))
        }),
        Func::new("mustToJson", ANY, |_: &mut Ctx<'_>, a| {
            to_json(&a[0]).map(Value::from)
        }),
        Func::new("toPrettyJson", ANY, |_: &mut Ctx<'_>, a| {
            Ok(Value::from(to_json_pretty(&a[0]).unwrap_or_default()))
        }),
        Func::new("mustToPrettyJson", ANY, |_: &mut Ctx<'_>, a| {
            to_json_pretty(&a[0]).map(Value::from)
        }),
        // Sprig's toRawJson panics on error; text/template reports the panic as the call's error.
        Func::new("toRawJson", ANY, |_: &mut Ctx<'_>, a| {
            to_raw_json(&a[0]).map(Value::from)
        }),
        Func::new("mustToRawJson", ANY, |_: &mut Ctx<'_>, a| {
            to_raw_json(&a[0]).map(Value::from)
        }),
        // Helm's fromJson reports errors in-band, as an "Error" key.
        Func::new("fromJson", STR, |_: &mut Ctx<'_>, a| {
            Ok(from_json_map(a[0].as_str().unwrap_or_default()))
        }),
        Func::new("fromJsonArray", STR, |_: &mut Ctx<'_>, a| {
            Ok(from_json_list(a[0].as_str().unwrap_or_default()))
        }),
        Func::new("mustFromJson", STR, |_: &mut Ctx<'_>, a| {
            from_json(a[0].as_str().unwrap_or_default())
        }),
    ]);
}
