//! `values.schema.json`: the root chart's and every subchart's schema checked against the
//! coalesced values, with the error text Helm 4 prints.
//!
//! Helm validates with santhosh-tekuri/jsonschema v6; this uses the `jsonschema` crate and
//! rebuilds v6's error tree from the crate's flat errors: one node per subschema evaluated at
//! one instance location, a node with a single error collapsed into it, `allOf`/`anyOf`/`oneOf`
//! as their own nodes, and v6's message for each keyword. Where v6 iterates a Go map (several
//! failing properties of one object) its order is random; here it is the keyword order v6 uses,
//! then the property names in byte order.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, ValidationError};
use serde_json::Value as Json;

use super::Chart;
use crate::value::{Map, Value};

/// Helm's `ValidateAgainstSchema`: the chart's schema against `values`, then each subchart's
/// against its table. Returns every failing chart's report, concatenated.
pub fn validate_tree(chart: &Chart, values: &Map) -> Result<(), String> {
    let mut out = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        out.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        let name = sub.name();
        match values.get(&name) {
            None | Some(Value::Nil) => {}
            Some(Value::Map(m)) => {
                if let Err(e) = validate_tree(sub, &m) {
                    out.push_str(&e);
                }
            }
            Some(other) => out.push_str(&format!(
                "{name}:\ninvalid type for values: expected object (map), got {}\n",
                other.go_type()
            )),
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Values as JSON, the way Go's encoding sees Helm's values.
fn to_json(v: &Value) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i, _) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(
            m.entries()
                .into_iter()
                .map(|(k, v)| (k, to_json(&v)))
                .collect(),
        ),
        Value::Object(_) => Json::Null,
    }
}

/// The draft a schema declares with `$schema`; 2020-12 when it declares none, as in Helm 4.
fn draft_of(schema: &Json) -> Draft {
    let declared = schema.get("$schema").and_then(Json::as_str).unwrap_or("");
    let id = declared.trim_end_matches('#');
    if id.ends_with("draft-04/schema") {
        Draft::Draft4
    } else if id.ends_with("draft-06/schema") {
        Draft::Draft6
    } else if id.ends_with("draft-07/schema") {
        Draft::Draft7
    } else if id.ends_with("2019-09/schema") {
        Draft::Draft201909
    } else {
        Draft::Draft202012
    }
}

/// One schema against one values table; the error is v6's report (each line `- at ...`) with
/// Helm's trailing newline.
pub fn validate_single(values: &Map, schema_text: &str) -> Result<(), String> {
    let schema: Json = serde_json::from_str(schema_text).map_err(|e| {
        if e.is_eof() {
            "unexpected EOF".to_string()
        } else {
            format!("invalid JSON in values.schema.json: {e}")
        }
    })?;
    let validator = jsonschema::options()
        .with_draft(draft_of(&schema))
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| format!("\"file:///values.schema.json#\" is not a valid schema: {e}"))?;
    let instance = to_json(&Value::Map(values.clone()));
    let errors: Vec<ValidationError<'_>> = validator.iter_errors(&instance).collect();
    if errors.is_empty() {
        return Ok(());
    }
    let tree = build(&errors, "");
    let mut lines = Vec::new();
    for item in &tree {
        item.print(0, &mut lines);
    }
    Err(format!("{}\n", lines.join("\n")))
}

/// A node of v6's error tree.
#[derive(Debug)]
enum Node {
    Leaf {
        at: String,
        message: String,
    },
    /// A subschema with several failures (`validation failed`) or an applicator keyword
    /// (`'anyOf' failed`), with its causes.
    Group {
        at: String,
        message: String,
        children: Vec<Node>,
    },
}

impl Node {
    fn print(&self, indent: usize, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        match self {
            Node::Leaf { at, message } => out.push(format!("{pad}- at {}: {message}", quote(at))),
            Node::Group {
                at,
                message,
                children,
            } => {
                out.push(format!("{pad}- at {}: {message}", quote(at)));
                for c in children {
                    c.print(indent + 2, out);
                }
            }
        }
    }
}

/// v6's order of keywords within one schema.
fn rank(keyword: &str) -> usize {
    const ORDER: &[&str] = &[
        "$ref",
        "$dynamicRef",
        "type",
        "const",
        "enum",
        "format",
        "minProperties",
        "maxProperties",
        "required",
        "dependentRequired",
        "dependencies",
        "propertyNames",
        "properties",
        "patternProperties",
        "additionalProperties",
        "dependentSchemas",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "prefixItems",
        "items",
        "additionalItems",
        "minLength",
        "maxLength",
        "pattern",
        "contentEncoding",
        "contentMediaType",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
    ];
    ORDER
        .iter()
        .position(|k| *k == keyword)
        .unwrap_or(ORDER.len())
}

/// How a keyword in an evaluation path leads to a subschema.
enum Step {
    /// `properties/x`, `prefixItems/0`...: a named subschema applied to a child instance.
    Child,
    /// `items`, `additionalProperties`...: one subschema applied to a child instance.
    EachChild,
    /// `$ref`, `not`, `then`...: one subschema applied to the same instance.
    Same,
    /// `allOf/0`: a branch of an applicator shown as its own node.
    Branch,
    /// `dependentSchemas/x`: a named subschema applied to the same instance.
    NamedSame,
}

fn step_of(keyword: &str) -> Option<Step> {
    Some(match keyword {
        "properties" | "patternProperties" | "prefixItems" => Step::Child,
        "additionalProperties"
        | "unevaluatedProperties"
        | "items"
        | "additionalItems"
        | "unevaluatedItems"
        | "contains" => Step::EachChild,
        "$ref" | "$dynamicRef" | "$recursiveRef" | "not" | "if" | "then" | "else"
        | "propertyNames" => Step::Same,
        "allOf" | "anyOf" | "oneOf" => Step::Branch,
        "dependentSchemas" | "dependencies" => Step::NamedSame,
        _ => return None,
    })
}

/// One error placed in the tree: the subschema steps leading to it and what it says.
struct Placed {
    /// (key for grouping, instance location after the step, rank of the step's keyword,
    /// applicator message when the step is an `allOf`-style branch).
    path: Vec<(String, String, usize, Option<String>)>,
    at: String,
    keyword: String,
    message: String,
    children: Vec<Node>,
}

fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

/// Place one error: walk its evaluation path (from `skip` segments on) through subschemas.
fn place(err: &ValidationError<'_>, skip: usize, base_at: &str) -> Placed {
    let eval = segments(err.evaluation_path().as_str());
    let inst = segments(err.instance_path().as_str());
    let mut at = base_at.to_string();
    let mut inst_used = segments(base_at).len();
    let mut path = Vec::new();
    let mut i = skip;
    let mut keyword = String::new();
    while i < eval.len() {
        let kw = eval[i].as_str();
        let next_inst = |used: &mut usize, at: &mut String| {
            if let Some(seg) = inst.get(*used) {
                at.push('/');
                at.push_str(&escape(seg));
                *used += 1;
            }
        };
        match step_of(kw) {
            Some(Step::Child) if i + 1 < eval.len() => {
                next_inst(&mut inst_used, &mut at);
                path.push((format!("{kw}/{}", eval[i + 1]), at.clone(), rank(kw), None));
                i += 2;
            }
            Some(Step::EachChild) if i + 1 < eval.len() || !is_leaf_kind(err.kind(), kw) => {
                next_inst(&mut inst_used, &mut at);
                path.push((format!("{kw}{at}"), at.clone(), rank(kw), None));
                i += 1;
            }
            Some(Step::Same) if i + 1 < eval.len() => {
                path.push((kw.to_string(), at.clone(), rank(kw), None));
                i += 1;
            }
            Some(Step::NamedSame) if i + 1 < eval.len() && i + 2 < eval.len() => {
                path.push((format!("{kw}/{}", eval[i + 1]), at.clone(), rank(kw), None));
                i += 2;
            }
            Some(Step::Branch) if i + 2 < eval.len() => {
                path.push((
                    kw.to_string(),
                    at.clone(),
                    rank(kw),
                    Some(format!("'{kw}' failed")),
                ));
                path.push((eval[i + 1].clone(), at.clone(), 0, None));
                i += 2;
            }
            _ => {
                keyword = kw.to_string();
                break;
            }
        }
    }
    let (message, children) = describe(err, &eval, i);
    Placed {
        path,
        at: err.instance_path().as_str().to_string(),
        keyword,
        message,
        children,
    }
}

/// Whether this error is the keyword itself failing (`additionalProperties: false`) rather than
/// a failure inside its subschema.
fn is_leaf_kind(kind: &ValidationErrorKind, keyword: &str) -> bool {
    matches!(
        (kind, keyword),
        (
            ValidationErrorKind::AdditionalProperties { .. },
            "additionalProperties"
        ) | (
            ValidationErrorKind::UnevaluatedProperties { .. },
            "unevaluatedProperties"
        ) | (
            ValidationErrorKind::UnevaluatedItems { .. },
            "unevaluatedItems"
        ) | (
            ValidationErrorKind::AdditionalItems { .. },
            "additionalItems"
        ) | (ValidationErrorKind::Contains, "contains")
    )
}

/// Build the tree of a list of errors (the whole report, or one branch of an applicator).
fn build(errors: &[ValidationError<'_>], base_at: &str) -> Vec<Node> {
    let placed: Vec<Placed> = errors.iter().map(|e| place(e, 0, base_at)).collect();
    grow(merge_required(placed), 0)
}

fn build_branch(errors: &[ValidationError<'static>], skip: usize, base_at: &str) -> Vec<Node> {
    let placed: Vec<Placed> = errors.iter().map(|e| place(e, skip, base_at)).collect();
    grow(merge_required(placed), 0)
}

/// v6 reports every missing property of one `required` in one message.
fn merge_required(placed: Vec<Placed>) -> Vec<Placed> {
    let mut out: Vec<Placed> = Vec::new();
    let mut missing: Vec<Vec<String>> = Vec::new();
    for p in placed {
        if p.keyword == "required"
            && let Some(name) = p.message.strip_prefix("\u{0}")
        {
            if let Some(idx) = out.iter().position(|q| {
                q.keyword == "required"
                    && q.path.iter().map(|s| &s.0).eq(p.path.iter().map(|s| &s.0))
                    && q.at == p.at
            }) {
                missing[idx].push(name.to_string());
                continue;
            }
            missing.push(vec![name.to_string()]);
        } else {
            missing.push(Vec::new());
        }
        out.push(p);
    }
    for (p, names) in out.iter_mut().zip(missing) {
        if p.keyword == "required" && !names.is_empty() {
            let quoted: Vec<String> = names.iter().map(|n| quote(n)).collect();
            p.message = if names.len() == 1 {
                format!("missing property {}", quoted[0])
            } else {
                format!("missing properties {}", quoted.join(", "))
            };
        }
    }
    out
}

/// A subschema node being grown: (step key, instance location, rank, applicator message,
/// the errors under it).
type Pending = (String, String, usize, Option<String>, Vec<Placed>);

/// Group placed errors by their next step, recursively; a subschema node with one item is
/// replaced by it.
fn grow(placed: Vec<Placed>, depth: usize) -> Vec<Node> {
    let mut items: Vec<(usize, String, Node)> = Vec::new();
    let mut groups: Vec<Pending> = Vec::new();
    for p in placed {
        if p.path.len() <= depth {
            let node = if p.children.is_empty() {
                Node::Leaf {
                    at: p.at.clone(),
                    message: p.message.clone(),
                }
            } else {
                Node::Group {
                    at: p.at.clone(),
                    message: p.message.clone(),
                    children: p.children,
                }
            };
            items.push((rank(&p.keyword), String::new(), node));
            continue;
        }
        let (key, at, r, applicator) = p.path[depth].clone();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.4.push(p),
            None => groups.push((key, at, r, applicator, vec![p])),
        }
    }
    for (key, at, r, applicator, members) in groups {
        let mut children = grow(members, depth + 1);
        let node = match applicator {
            Some(message) => Node::Group {
                at,
                message,
                children,
            },
            None if children.len() == 1 => children.remove(0),
            None => Node::Group {
                at,
                message: "validation failed".to_string(),
                children,
            },
        };
        items.push((r, key, node));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    items.into_iter().map(|(_, _, n)| n).collect()
}

/// v6's message for one failing keyword, and the causes of an applicator.
fn describe(err: &ValidationError<'_>, eval: &[String], at_index: usize) -> (String, Vec<Node>) {
    let instance: &Json = err.instance();
    let at = err.instance_path().as_str().to_string();
    let count = |v: &Json| match v {
        Json::String(s) => s.chars().count(),
        Json::Array(a) => a.len(),
        Json::Object(o) => o.len(),
        _ => 0,
    };
    let got_want = |name: &str, want: u64| {
        (
            format!("{name}: got {}, want {want}", count(instance)),
            vec![],
        )
    };
    let numbers = |name: &str, want: f64| {
        (
            format!(
                "{name}: got {}, want {}",
                localized(instance.as_f64().unwrap_or(0.0)),
                localized(want)
            ),
            vec![],
        )
    };
    let branches = |context: &[Vec<ValidationError<'static>>]| -> Vec<Node> {
        let mut out = Vec::new();
        for branch in context {
            out.extend(build_branch(branch, at_index + 2, &at));
        }
        out
    };
    match err.kind() {
        ValidationErrorKind::Type { kind } => {
            let mut want: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![t.as_str()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
            };
            want.sort_unstable();
            (
                format!("got {}, want {}", json_type(instance), want.join(" or ")),
                vec![],
            )
        }
        ValidationErrorKind::Required { property } => {
            // Merged per schema by `merge_required`.
            (
                format!("\u{0}{}", property.as_str().unwrap_or_default()),
                vec![],
            )
        }
        ValidationErrorKind::Enum { options } => {
            let opts = options.as_array().cloned().unwrap_or_default();
            if opts.iter().any(|o| o.is_array() || o.is_object()) {
                ("enum failed".to_string(), vec![])
            } else if opts.len() == 1 {
                (format!("value must be {}", display(&opts[0])), vec![])
            } else {
                let shown: Vec<String> = opts.iter().map(display).collect();
                (format!("value must be one of {}", shown.join(", ")), vec![])
            }
        }
        ValidationErrorKind::Constant { expected_value } => {
            if expected_value.is_array() || expected_value.is_object() {
                ("const failed".to_string(), vec![])
            } else {
                (format!("value must be {}", display(expected_value)), vec![])
            }
        }
        ValidationErrorKind::MinLength { limit } => got_want("minLength", *limit),
        ValidationErrorKind::MaxLength { limit } => got_want("maxLength", *limit),
        ValidationErrorKind::MinItems { limit } => got_want("minItems", *limit),
        ValidationErrorKind::MaxItems { limit } => got_want("maxItems", *limit),
        ValidationErrorKind::MinProperties { limit } => got_want("minProperties", *limit),
        ValidationErrorKind::MaxProperties { limit } => got_want("maxProperties", *limit),
        ValidationErrorKind::Minimum { limit } => numbers("minimum", limit.as_f64().unwrap_or(0.0)),
        ValidationErrorKind::Maximum { limit } => numbers("maximum", limit.as_f64().unwrap_or(0.0)),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            numbers("exclusiveMinimum", limit.as_f64().unwrap_or(0.0))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            numbers("exclusiveMaximum", limit.as_f64().unwrap_or(0.0))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => numbers("multipleOf", *multiple_of),
        ValidationErrorKind::Pattern { pattern } => (
            format!(
                "{} does not match pattern {}",
                quote(instance.as_str().unwrap_or_default()),
                quote(pattern)
            ),
            vec![],
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let quoted: Vec<String> = unexpected.iter().map(|n| quote(n)).collect();
            (
                format!("additional properties {} not allowed", quoted.join(", ")),
                vec![],
            )
        }
        ValidationErrorKind::UniqueItems => {
            let items = instance.as_array().cloned().unwrap_or_default();
            let mut pair = (0, 0);
            'outer: for j in 0..items.len() {
                for i in 0..j {
                    if items[i] == items[j] {
                        pair = (i, j);
                        break 'outer;
                    }
                }
            }
            (
                format!("items at {} and {} are equal", pair.0, pair.1),
                vec![],
            )
        }
        ValidationErrorKind::FalseSchema => ("false schema".to_string(), vec![]),
        ValidationErrorKind::Not { .. } => ("'not' failed".to_string(), vec![]),
        ValidationErrorKind::AnyOf { context } => ("'anyOf' failed".to_string(), branches(context)),
        ValidationErrorKind::OneOfNotValid { context } => (
            "'oneOf' failed, none matched".to_string(),
            branches(context),
        ),
        ValidationErrorKind::OneOfMultipleValid { context } => {
            let matched: Vec<usize> = context
                .iter()
                .enumerate()
                .filter(|(_, errs)| errs.is_empty())
                .map(|(i, _)| i)
                .collect();
            let (a, b) = (
                matched.first().copied().unwrap_or(0),
                matched.get(1).copied().unwrap_or(1),
            );
            (
                format!("'oneOf' failed, subschemas {a}, {b} matched"),
                vec![],
            )
        }
        ValidationErrorKind::Contains => ("no items match contains schema".to_string(), vec![]),
        _ => {
            let _ = eval;
            (err.to_string(), vec![])
        }
    }
}

/// v6's name of a JSON value's type.
fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// v6's `quote`: Go's `%q` in single quotes.
fn quote(s: &str) -> String {
    let q = crate::go::quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// v6's display of a primitive value.
fn display(v: &Json) -> String {
    match v {
        Json::String(s) => quote(s),
        Json::Null => "<nil>".to_string(),
        Json::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| crate::go::format_float(f, 'g', -1)),
        other => other.to_string(),
    }
}

/// A number as Go's English message printer shows `%v` of a float64: digit groups, and
/// `×10⁰⁶` for an exponent.
fn localized(f: f64) -> String {
    let s = crate::go::format_float(f, 'g', -1);
    if let Some((mant, exp)) = s.split_once('e') {
        let sup = |c: char| match c {
            '-' => Some('⁻'),
            '+' => None,
            d => "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(d.to_digit(10)? as usize),
        };
        return format!(
            "{mant}×10{}",
            exp.chars().filter_map(sup).collect::<String>()
        );
    }
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_localised_like_gos_message_printer() {
        assert_eq!(localized(70000.0), "70,000");
        assert_eq!(localized(65535.0), "65,535");
        assert_eq!(localized(2.25), "2.25");
        assert_eq!(localized(1234567.5), "1.2345675×10⁰⁶");
        assert_eq!(localized(1e30), "1×10³⁰");
        assert_eq!(localized(-0.00001), "-1×10⁻⁰⁵");
    }

    #[test]
    fn quotes_like_v6() {
        assert_eq!(quote("a'b\"c"), "'a\\'b\"c'");
    }
}
