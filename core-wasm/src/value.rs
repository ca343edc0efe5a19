//! Go's dynamic values as `text/template` and Sprig see them.
//!
//! Helm charts depend on distinctions Rust would normally erase: a YAML number is a `float64`, a
//! template literal is an `int`, Sprig arithmetic returns `int64`, and a `[]string` is not a
//! `[]interface {}`. Those distinctions decide printing (`%v`), comparison errors and which
//! function arguments are accepted, so the value model keeps them.
//!
//! Maps have Go's reference semantics: `set`, `merge` and friends mutate a map in place and every
//! holder of that map sees the change (charts rely on it). Lists are immutable values.

use std::any::Any;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// Go's integer types that can reach a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntKind {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
}

impl IntKind {
    /// Go's name of the type, as `%T` and error messages print it.
    pub fn go_name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int8 => "int8",
            IntKind::Int16 => "int16",
            IntKind::Int32 => "int32",
            IntKind::Int64 => "int64",
            IntKind::Uint => "uint",
            IntKind::Uint8 => "uint8",
            IntKind::Uint16 => "uint16",
            IntKind::Uint32 => "uint32",
            IntKind::Uint64 => "uint64",
        }
    }

    /// Whether this is one of Go's unsigned kinds.
    pub fn is_unsigned(self) -> bool {
        matches!(
            self,
            IntKind::Uint | IntKind::Uint8 | IntKind::Uint16 | IntKind::Uint32 | IntKind::Uint64
        )
    }
}

/// The static element type of a Go slice or map, for type names and assignability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Elem {
    /// `interface {}`
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `[]interface {}` (Sprig's `chunk`)
    AnyList,
}

impl Elem {
    /// Go's name of the element type.
    pub fn go_name(self) -> &'static str {
        match self {
            Elem::Any => "interface {}",
            Elem::String => "string",
            Elem::Int => "int",
            Elem::AnyList => "[]interface {}",
        }
    }
}

/// A Go value reaching a template.
#[derive(Clone)]
pub enum Value {
    /// Go's untyped nil (a nil `interface {}`): a missing map key or YAML `null`.
    Nil,
    Bool(bool),
    /// Every integer type; unsigned values above `i64::MAX` do not occur in charts.
    Int(i64, IntKind),
    /// `float64`. YAML and JSON numbers are always this.
    Float(f64),
    String(Rc<str>),
    /// `[]byte` (`.Files.GetBytes`, `randBytes`...).
    Bytes(Rc<[u8]>),
    List(List),
    Map(Map),
    /// A Go struct or pointer with fields and methods (`.Files`, `.Capabilities`, `time.Time`...).
    Object(Rc<dyn Object>),
}

/// A Go slice: immutable here (Sprig's list functions all return new slices).
#[derive(Clone)]
pub struct List {
    pub items: Rc<Vec<Value>>,
    pub elem: Elem,
    /// A nil slice (empty, but `null` to encoding/json and equal to nil for `eq`).
    pub nil: bool,
}

/// A Go map with string keys, shared by reference. Keys iterate in byte order, which is the order
/// `range` uses.
#[derive(Clone)]
pub struct Map {
    inner: Rc<RefCell<BTreeMap<String, Value>>>,
    pub elem: Elem,
    /// A named map type such as Helm's `common.Values`, for `%T`; `None` for a plain map.
    name: Option<&'static str>,
    /// A nil map (empty, but `null` to encoding/json and equal to nil for `eq`).
    nil: bool,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> List {
        List {
            items: Rc::new(items),
            elem: Elem::Any,
            nil: false,
        }
    }

    /// A nil slice of the given element type (`var l []T`).
    pub fn nil(elem: Elem) -> List {
        List {
            items: Rc::new(Vec::new()),
            elem,
            nil: true,
        }
    }

    /// A slice of the given element type.
    pub fn typed(items: Vec<Value>, elem: Elem) -> List {
        List {
            items: Rc::new(items),
            elem,
            nil: false,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.items.iter()
    }

    /// Go's type name, e.g. `[]interface {}`.
    pub fn go_type(&self) -> String {
        format!("[]{}", self.elem.go_name())
    }
}

impl Map {
    /// An empty `map[string]interface {}`.
    pub fn new() -> Map {
        Map::from_btree(BTreeMap::new())
    }

    /// A `map[string]interface {}` holding these entries.
    pub fn from_btree(entries: BTreeMap<String, Value>) -> Map {
        Map {
            inner: Rc::new(RefCell::new(entries)),
            elem: Elem::Any,
            name: None,
            nil: false,
        }
    }

    /// A `map[string]interface {}` of a named Go type (e.g. `common.Values`).
    pub fn named(entries: BTreeMap<String, Value>, name: &'static str) -> Map {
        Map {
            inner: Rc::new(RefCell::new(entries)),
            elem: Elem::Any,
            name: Some(name),
            nil: false,
        }
    }

    /// A map with another value type, e.g. `map[string]string` from Sprig's `split`.
    pub fn typed(entries: BTreeMap<String, Value>, elem: Elem) -> Map {
        Map {
            inner: Rc::new(RefCell::new(entries)),
            elem,
            name: None,
            nil: false,
        }
    }

    /// A nil `map[string]interface {}` (what JSON `null` decodes to in a map variable).
    pub fn nil() -> Map {
        Map {
            nil: true,
            ..Map::new()
        }
    }

    /// Whether this is a nil map.
    /// A nil map of a typed element (`map[string]string(nil)`).
    pub fn typed_nil(elem: Elem) -> Map {
        let mut m = Map::typed(BTreeMap::new(), elem);
        m.nil = true;
        m
    }

    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// Read access. Do not hold the guard across a call that may mutate this map.
    pub fn borrow(&self) -> Ref<'_, BTreeMap<String, Value>> {
        self.inner.borrow()
    }

    /// Write access, visible to every holder of this map.
    pub fn borrow_mut(&self) -> RefMut<'_, BTreeMap<String, Value>> {
        self.inner.borrow_mut()
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.inner.borrow().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.inner.borrow().contains_key(key)
    }

    pub fn insert(&self, key: impl Into<String>, value: Value) {
        self.inner.borrow_mut().insert(key.into(), value);
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        self.inner.borrow_mut().remove(key)
    }

    pub fn len(&self) -> usize {
        self.inner.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.borrow().is_empty()
    }

    /// The keys in byte order.
    pub fn keys(&self) -> Vec<String> {
        self.inner.borrow().keys().cloned().collect()
    }

    /// A snapshot of the entries in byte order (cheap: values are reference counted).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.inner
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Whether both handles point at the same Go map.
    pub fn same(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }

    /// Go's type name, e.g. `map[string]interface {}`.
    pub fn go_type(&self) -> String {
        match self.name {
            Some(n) => n.to_string(),
            None => format!("map[string]{}", self.elem.go_name()),
        }
    }
}

impl Default for Map {
    fn default() -> Self {
        Map::new()
    }
}

/// The signature of a function or method as Go's reflection sees it: what each argument must be.
#[derive(Clone, Copy, Debug)]
pub struct Sig {
    pub params: &'static [Ty],
    /// The element type of a trailing `...T` parameter.
    pub variadic: Option<Ty>,
}

/// A Go parameter type, for argument checking and literal conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface {}`: accepts anything, nil included.
    Any,
    String,
    Bool,
    Int(IntKind),
    Float64,
    /// `map[string]interface {}`
    Map,
    /// `[]interface {}`
    List,
    /// `[]string`
    StringList,
    /// `[]byte`
    Bytes,
    /// A named Go type implemented by an [`Object`], matched on [`Object::type_name`].
    Object(&'static str),
}

impl Ty {
    /// Go's name of the type, as text/template's errors print it.
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::String => "string",
            Ty::Bool => "bool",
            Ty::Int(k) => k.go_name(),
            Ty::Float64 => "float64",
            Ty::Map => "map[string]interface {}",
            Ty::List => "[]interface {}",
            Ty::StringList => "[]string",
            Ty::Bytes => "[]uint8",
            Ty::Object(name) => name,
        }
    }

    /// Whether Go allows nil for this type (interfaces, maps, slices, pointers).
    pub fn can_be_nil(self) -> bool {
        match self {
            Ty::Any | Ty::Map | Ty::List | Ty::StringList | Ty::Bytes => true,
            Ty::Object(name) => name.starts_with('*'),
            _ => false,
        }
    }

    /// Whether a non-nil value of this dynamic type can be passed as this parameter type
    /// (Go's `AssignableTo`).
    pub fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (Ty::Any, _) => true,
            (Ty::String, Value::String(_)) => true,
            (Ty::Bool, Value::Bool(_)) => true,
            (Ty::Int(k), Value::Int(_, vk)) => k == *vk,
            (Ty::Float64, Value::Float(_)) => true,
            (Ty::Map, Value::Map(m)) => m.elem == Elem::Any,
            (Ty::List, Value::List(l)) => l.elem == Elem::Any,
            (Ty::StringList, Value::List(l)) => l.elem == Elem::String,
            (Ty::Bytes, Value::Bytes(_)) => true,
            (Ty::Object(name), Value::Object(o)) => o.type_name() == name,
            _ => false,
        }
    }
}

/// A Go struct (or pointer to one) exposed to templates: fields, methods and how it prints.
pub trait Object {
    /// Go's `%T` of the value, e.g. `*chartutil.Capabilities` or `time.Time`.
    fn type_name(&self) -> &'static str;

    /// reflect's kind name for Sprig's `kindOf`: `struct` or `ptr`.
    fn kind_name(&self) -> &'static str {
        if self.type_name().starts_with('*') {
            "ptr"
        } else {
            "struct"
        }
    }

    /// A field, or a method without arguments, by name; `None` when the type has neither.
    fn field(&self, name: &str) -> Option<Result<Value, String>>;

    /// The signature of a method that takes arguments, if the type has one by that name.
    fn method(&self, name: &str) -> Option<Sig> {
        let _ = name;
        None
    }

    /// Call a method returned by [`Object::method`] with arguments already checked against its
    /// signature.
    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let _ = args;
        Err(format!("{name} is not a method of {}", self.type_name()))
    }

    /// Go's `%v` of the value.
    fn format_v(&self) -> String;

    /// The value as encoding/json would see it (for `toJson`, `toYaml`, `deepCopy`).
    fn to_data(&self) -> Value {
        Value::Nil
    }

    /// A struct's JSON fields in declaration order, which is the order encoding/json writes
    /// them in (`to_data`'s map is sorted, as YAML output and map iteration want it).
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }

    /// Go's `String() string` method, if the type has one (fmt's `%s`/`%v` then use it).
    fn stringer(&self) -> Option<String> {
        None
    }

    /// `len` of a map- or slice-kinded type (Helm's `engine.files`, `common.VersionSet`);
    /// `None` for structs and pointers. It also decides truthiness and Sprig's `empty`, as
    /// reflect's length does in Go.
    fn collection_len(&self) -> Option<usize> {
        None
    }

    /// For downcasting to the concrete type.
    fn as_any(&self) -> &dyn Any;
}

impl Value {
    /// A Go `string`.
    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }

    /// A Go `int`.
    pub fn int(i: i64) -> Value {
        Value::Int(i, IntKind::Int)
    }

    /// A Go `int64`.
    pub fn int64(i: i64) -> Value {
        Value::Int(i, IntKind::Int64)
    }

    /// A `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A `[]string`.
    pub fn string_list(items: Vec<String>) -> Value {
        Value::List(List::typed(
            items.into_iter().map(Value::from).collect(),
            Elem::String,
        ))
    }

    /// A new `map[string]interface {}`.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Map::from_btree(entries))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Go's `isNil` as text/template's `eq` sees it: untyped nil, or a nil map or slice.
    pub fn is_nil_like(&self) -> bool {
        match self {
            Value::Nil => true,
            Value::List(l) => l.nil,
            Value::Map(m) => m.nil,
            _ => false,
        }
    }

    /// The string inside a Go `string`, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's `%T`: `float64`, `string`, `map[string]interface {}`, `[]interface {}`, `<nil>`...
    pub fn go_type(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_, k) => k.go_name().to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => l.go_type(),
            Value::Map(m) => m.go_type(),
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// reflect's `Kind` name, as Sprig's `kindOf` prints it (`invalid` for nil).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_, k) => k.go_name(),
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// text/template's truth: false for nil, false, zero numbers and empty strings, lists and
    /// maps (map- and slice-kinded objects included). Structs and pointers are always true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.collection_len().is_none_or(|n| n > 0),
        }
    }

    /// Go's `reflect.DeepEqual` (used by `has`, `uniq`, `without`, `deepEqual`): types must match
    /// exactly, so `float64(1)` differs from `int(1)`.
    pub fn deep_equal(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a, ka), Value::Int(b, kb)) => ka == kb && a == b,
            // DeepEqual compares floats with ==, so NaN never equals itself.
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.elem == b.elem
                    && a.nil == b.nil
                    && a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| x.deep_equal(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.elem != b.elem || a.nil != b.nil {
                    return false;
                }
                if a.same(b) {
                    return true;
                }
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.deep_equal(w)))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.type_name() == b.type_name() && a.format_v() == b.format_v()
            }
            _ => false,
        }
    }

    /// A copy that shares no map with the original (Sprig's `deepCopy`, values coalescing).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) if l.nil => Value::List(List::nil(l.elem)),
            Value::Map(m) if m.nil => Value::Map(Map::nil()),
            Value::List(l) => Value::List(List::typed(
                l.iter().map(Value::deep_copy).collect(),
                l.elem,
            )),
            Value::Map(m) => Value::Map(Map::typed(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
                m.elem,
            )),
            other => other.clone(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Rc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}

impl From<List> for Value {
    fn from(l: List) -> Value {
        Value::List(l)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i, k) => write!(f, "{k:?}({i})"),
            Value::Float(x) => write!(f, "float64({x:?})"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "bytes{b:?}"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "{}{{{}}}", o.type_name(), o.format_v()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_shared_by_reference() {
        let a = Map::new();
        let v = Value::Map(a.clone());
        a.insert("k", Value::int(1));
        assert!(v.as_map().unwrap().contains_key("k"));
        let copy = v.deep_copy();
        a.insert("j", Value::int(2));
        assert_eq!(copy.as_map().unwrap().len(), 1);
    }

    #[test]
    fn deep_equal_keeps_go_types_apart() {
        assert!(!Value::Float(1.0).deep_equal(&Value::int(1)));
        assert!(!Value::int(1).deep_equal(&Value::int64(1)));
        assert!(Value::list(vec![Value::str("a")]).deep_equal(&Value::list(vec![Value::str("a")])));
        assert!(
            !Value::list(vec![Value::str("a")])
                .deep_equal(&Value::string_list(vec!["a".to_string()]))
        );
    }

    #[test]
    fn truthiness_follows_text_template() {
        assert!(!Value::Nil.truthy());
        assert!(Value::str("false").truthy());
        assert!(!Value::Float(0.0).truthy());
        assert!(!Value::list(vec![]).truthy());
        assert!(Value::list(vec![Value::Nil]).truthy());
    }

    #[test]
    fn ty_accepts_exact_go_types_only() {
        assert!(Ty::Int(IntKind::Int).accepts(&Value::int(3)));
        assert!(!Ty::Int(IntKind::Int).accepts(&Value::int64(3)));
        assert!(!Ty::List.accepts(&Value::string_list(vec![])));
        assert!(Ty::StringList.accepts(&Value::string_list(vec![])));
        assert_eq!(Ty::Map.go_name(), "map[string]interface {}");
    }
}

/// The first of 256 private-use code points (U+10FF00..=U+10FFFF) that stand for the bytes of a
/// Go string that are not valid UTF-8 (Go strings are byte strings; Rust's are not). Functions
/// that work on bytes (`len`, `trunc`, `substr`, `b64enc`, the checksums, `encryptAES`) see the
/// original bytes through [`go_bytes`].
const RAW_BYTE_BASE: u32 = 0x10_FF00;

/// A Go string holding `b`: valid UTF-8 is kept, every other byte becomes its stand-in.
pub fn go_string_from_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for &x in chunk.invalid() {
            out.extend(char::from_u32(RAW_BYTE_BASE + u32::from(x)));
        }
    }
    out
}

/// The bytes of a Go string made by [`go_string_from_bytes`].
pub fn go_bytes(s: &str) -> std::borrow::Cow<'_, [u8]> {
    let is_raw = |c: char| (RAW_BYTE_BASE..=RAW_BYTE_BASE + 0xFF).contains(&(c as u32));
    if !s.chars().any(is_raw) {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_raw(c) {
            out.push((c as u32 - RAW_BYTE_BASE) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod go_string_tests {
    use super::*;

    #[test]
    fn invalid_bytes_survive_a_round_trip() {
        let b = [b'h', 0xC3, b'x', 0xFF];
        let s = go_string_from_bytes(&b);
        assert_eq!(s.chars().count(), 4);
        assert_eq!(&*go_bytes(&s), &b);
        assert_eq!(go_string_from_bytes("héllo".as_bytes()), "héllo");
    }
}
