//! The chart tree's templates as one render sees them (Helm's `recAllTpls`).

use std::collections::BTreeMap;
use std::rc::Rc;

use super::Chart;
use super::objects::Files;
use crate::value::{Map, Value};

/// One template file with the objects it sees.
pub struct Renderable {
    pub name: String,
    pub data: Vec<u8>,
    pub top: Value,
    pub base_path: String,
}

/// Helm's `recAllTpls`: every chart's templates keyed by `<chart path>/templates/...`, each
/// chart seeing its own slice of the values.
pub fn collect(
    chart: &Chart,
    path: &str,
    is_root: bool,
    values: Value,
    release: &Value,
    caps: &Value,
    out: &mut Vec<Renderable>,
) -> Value {
    let subcharts = Map::new();
    let files = Files(
        chart
            .files
            .iter()
            .map(|f| (f.path.clone(), Rc::from(f.data.clone())))
            .collect(),
    );
    let values = match values {
        Value::Map(m) => Value::Map(Map::named(m.borrow().clone(), "common.Values")),
        _ => Value::Map(Map::named(BTreeMap::new(), "common.Values")),
    };
    let mut top = BTreeMap::new();
    top.insert("Chart".to_string(), super::chart_object(chart, is_root));
    top.insert("Files".to_string(), Value::Object(Rc::new(files)));
    top.insert("Release".to_string(), release.clone());
    top.insert("Capabilities".to_string(), caps.clone());
    top.insert("Values".to_string(), values.clone());
    top.insert("Subcharts".to_string(), Value::Map(subcharts.clone()));
    let top = Value::Map(Map::named(top, "common.Values"));
    for dep in &chart.dependencies {
        let name = dep.name();
        let sub_values = values
            .as_map()
            .and_then(|m| m.get(&name))
            .unwrap_or_else(|| Value::Map(Map::new()));
        let sub_path = format!("{path}/charts/{name}");
        let sub_top = collect(dep, &sub_path, false, sub_values, release, caps, out);
        subcharts.insert(name, sub_top);
    }
    let library = chart.is_library();
    for t in &chart.templates {
        let base = t.path.rsplit('/').next().unwrap_or(&t.path);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(Renderable {
            name: format!("{path}/{}", t.path),
            data: t.data.clone(),
            top: top.clone(),
            base_path: format!("{path}/templates"),
        });
    }
    top
}
