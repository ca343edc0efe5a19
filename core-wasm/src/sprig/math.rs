//! Sprig: math functions.
//!
//! Integer arithmetic converts every operand with cast's `ToInt64` and returns `int64` with Go's
//! wrapping overflow; the `*f` family goes through exact decimals (shopspring/decimal) and
//! returns `float64`. `until`, `untilStep` and `seq` build Go `[]int` ranges.

mod decimal;

use crate::template::func::{Ctx, Func};
use crate::value::{Elem, IntKind, List, Ty, Value};

use super::conv::{to_float64, to_int64};
use decimal::Decimal;

const INT: Ty = Ty::Int(IntKind::Int);

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("add1", &[Ty::Any], add1),
        Func::variadic("add", &[], Ty::Any, add),
        Func::new("sub", &[Ty::Any, Ty::Any], sub),
        Func::new("div", &[Ty::Any, Ty::Any], div),
        Func::new("mod", &[Ty::Any, Ty::Any], modulo),
        Func::variadic("mul", &[Ty::Any], Ty::Any, mul),
        Func::new("randInt", &[INT, INT], rand_int),
        Func::new("add1f", &[Ty::Any], add1f),
        Func::variadic("addf", &[], Ty::Any, addf),
        Func::variadic("subf", &[Ty::Any], Ty::Any, subf),
        Func::variadic("divf", &[Ty::Any], Ty::Any, divf),
        Func::variadic("mulf", &[Ty::Any], Ty::Any, mulf),
        Func::variadic("biggest", &[Ty::Any], Ty::Any, max),
        Func::variadic("max", &[Ty::Any], Ty::Any, max),
        Func::variadic("min", &[Ty::Any], Ty::Any, min),
        Func::variadic("maxf", &[Ty::Any], Ty::Any, maxf),
        Func::variadic("minf", &[Ty::Any], Ty::Any, minf),
        Func::new("ceil", &[Ty::Any], ceil),
        Func::new("floor", &[Ty::Any], floor),
        Func::variadic("round", &[Ty::Any, INT], Ty::Float64, round),
        Func::new("until", &[INT], until),
        Func::new("untilStep", &[INT, INT, INT], until_step_fn),
        Func::variadic("seq", &[], INT, seq),
    ]);
}

/// Go's integer division panic, as text/template reports it.
const DIVIDE_BY_ZERO: &str = "runtime error: integer divide by zero";

fn add1(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(to_int64(&args[0]).wrapping_add(1)))
}

fn add(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let sum = args
        .iter()
        .fold(0i64, |acc, v| acc.wrapping_add(to_int64(v)));
    Ok(Value::int64(sum))
}

fn sub(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::int64(
        to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
    ))
}

fn div(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.to_string());
    }
    Ok(Value::int64(to_int64(&args[0]).wrapping_div(b)))
}

fn modulo(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(DIVIDE_BY_ZERO.to_string());
    }
    Ok(Value::int64(to_int64(&args[0]).wrapping_rem(b)))
}

fn mul(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let product = args[1..]
        .iter()
        .fold(to_int64(&args[0]), |acc, v| acc.wrapping_mul(to_int64(v)));
    Ok(Value::int64(product))
}

/// `rand.Intn(max-min) + min`, panicking as Go does when the range is empty.
fn rand_int(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let (lo, hi) = (to_int64(&args[0]), to_int64(&args[1]));
    let n = hi.wrapping_sub(lo);
    if n <= 0 {
        return Err("invalid argument to Intn".to_string());
    }
    Ok(Value::int(
        (ctx.rng.below(n as u64) as i64).wrapping_add(lo),
    ))
}

/// shopspring's decimal arithmetic over cast's `ToFloat64` of each operand.
fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, String>,
) -> Result<Value, String> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for v in rest {
        acc = op(&acc, &Decimal::from_f64(to_float64(v))?)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

fn add1f(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    decimal_op(&args[0], &[Value::int(1)], |a, b| Ok(a.add(b)))
}

fn addf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    decimal_op(&Value::Float(0.0), &args, |a, b| Ok(a.add(b)))
}

fn subf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    decimal_op(&args[0], &args[1..], |a, b| Ok(a.sub(b)))
}

fn mulf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    decimal_op(&args[0], &args[1..], |a, b| Ok(a.mul(b)))
}

fn divf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    decimal_op(&args[0], &args[1..], Decimal::div)
}

fn max(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = args.iter().map(to_int64).max().unwrap_or(0);
    Ok(Value::int64(m))
}

fn min(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = args.iter().map(to_int64).min().unwrap_or(0);
    Ok(Value::int64(m))
}

fn maxf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = args[1..]
        .iter()
        .fold(to_float64(&args[0]), |acc, v| go_max(acc, to_float64(v)));
    Ok(Value::Float(m))
}

fn minf(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let m = args[1..]
        .iter()
        .fold(to_float64(&args[0]), |acc, v| go_min(acc, to_float64(v)));
    Ok(Value::Float(m))
}

/// Go's `math.Max`: NaN wins (Rust's `f64::max` would ignore it), +0 beats -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x > 0.0 || y.is_infinite() && y > 0.0 {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { y } else { x }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: NaN wins, -0 beats +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x < 0.0 || y.is_infinite() && y < 0.0 {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() { x } else { y }
    } else if x < y {
        x
    } else {
        y
    }
}

fn ceil(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0]).ceil()))
}

fn floor(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::Float(to_float64(&args[0]).floor()))
}

/// Sprig's `round value places [roundOn]`: up when the fraction at `places` reaches `roundOn`
/// (default .5), which rounds negative halves down (`round -2.5 0` is -3).
fn round(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let round_on = match args.get(2) {
        Some(Value::Float(f)) => *f,
        _ => 0.5,
    };
    let val = to_float64(&args[0]);
    let pow = 10f64.powf(to_float64(&args[1]));
    let digit = pow * val;
    let frac = if digit.is_infinite() {
        f64::NAN
    } else {
        digit.fract()
    };
    let rounded = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

fn until(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let count = to_int64(&args[0]);
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(until_step(0, count, step)))
}

fn until_step_fn(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let [start, stop, step] = [0, 1, 2].map(|i| to_int64(&args[i]));
    Ok(int_list(until_step(start, stop, step)))
}

/// Sprig's `untilStep`: from `start` towards `stop` (exclusive); empty when `step` points away.
fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut i = start;
    if stop < start {
        if step >= 0 {
            return out;
        }
        while i > stop {
            out.push(i);
            i = match i.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        return out;
    }
    if step <= 0 {
        return out;
    }
    while i < stop {
        out.push(i);
        i = match i.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

fn int_list(items: Vec<i64>) -> Value {
    Value::List(List::typed(
        items.into_iter().map(Value::int).collect(),
        Elem::Int,
    ))
}

/// Sprig's `seq`, like the Unix command: `seq last`, `seq first last`, `seq first step last`;
/// the numbers joined by spaces.
fn seq(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let p: Vec<i64> = args.iter().map(to_int64).collect();
    let nums = match p[..] {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(inc), inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(Value::str(""));
                }
            }
            until_step(start, end.wrapping_add(inc), step)
        }
        _ => Vec::new(),
    };
    let text = nums
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Value::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;
    use crate::go::format_v;

    fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let f = funcs.iter().find(|f| f.name == name).unwrap();
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        (f.call)(&mut ctx, args)
    }

    fn i(n: i64) -> Value {
        Value::int(n)
    }

    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn int64(name: &str, args: Vec<Value>) -> i64 {
        match call(name, args).unwrap() {
            Value::Int(n, IntKind::Int64) => n,
            other => panic!("{name}: not an int64: {other:?}"),
        }
    }

    fn float(name: &str, args: Vec<Value>) -> f64 {
        match call(name, args).unwrap() {
            Value::Float(x) => x,
            other => panic!("{name}: not a float64: {other:?}"),
        }
    }

    #[test]
    fn integer_arithmetic_is_int64() {
        // Oracle answers from helm template probes.
        assert_eq!(int64("add", vec![i(1), f(2.7), s("3")]), 6);
        assert_eq!(int64("add", vec![]), 0);
        assert_eq!(int64("add1", vec![f(1.5)]), 2);
        assert_eq!(int64("add1", vec![Value::Nil]), 1);
        assert_eq!(int64("sub", vec![i(5), f(1.9)]), 4);
        assert_eq!(int64("mul", vec![i(2), s("3"), f(1.5)]), 6);
        assert_eq!(int64("mul", vec![i(2)]), 2);
        assert_eq!(int64("div", vec![i(7), i(2)]), 3);
        assert_eq!(int64("div", vec![i(-7), i(2)]), -3);
        assert_eq!(int64("mod", vec![i(-7), i(2)]), -1);
        assert_eq!(int64("mod", vec![i(7), i(-2)]), 1);
        assert_eq!(int64("max", vec![i(1), i(5), s("3")]), 5);
        assert_eq!(int64("min", vec![i(1), i(-5), f(2.9)]), -5);
        assert_eq!(int64("biggest", vec![i(3)]), 3);
        assert_eq!(int64("add", vec![i(i64::MAX), i(1)]), i64::MIN);
    }

    #[test]
    fn integer_division_by_zero_is_go_panic_text() {
        let want = "runtime error: integer divide by zero";
        assert_eq!(call("div", vec![i(1), i(0)]).unwrap_err(), want);
        assert_eq!(call("mod", vec![i(1), i(0)]).unwrap_err(), want);
    }

    #[test]
    fn float_arithmetic_is_decimal() {
        assert_eq!(float("addf", vec![f(1.1), f(2.2)]), 3.3);
        assert_eq!(float("add1f", vec![f(1.1)]), 2.1);
        assert_eq!(float("subf", vec![i(1), f(0.9)]), 0.1);
        assert_eq!(float("mulf", vec![f(1.1), i(3)]), 3.3);
        assert_eq!(float("divf", vec![i(1), i(3)]), 0.3333333333333333);
        assert_eq!(float("divf", vec![i(10), i(4)]), 2.5);
        assert_eq!(float("addf", vec![]), 0.0);
        assert_eq!(float("mulf", vec![f(0.1), f(0.2)]), 0.02);
        assert_eq!(float("divf", vec![i(2), i(3)]), 0.6666666666666667);
        assert_eq!(float("subf", vec![i(5)]), 5.0);
        assert_eq!(float("addf", vec![s("x"), i(1)]), 1.0);
        assert_eq!(float("mulf", vec![f(1e300), f(1e300)]), f64::INFINITY);
        assert_eq!(float("addf", vec![f(0.1), f(0.2)]), 0.3);
        assert_eq!(float("divf", vec![f(1e-20), i(3)]), 0.0);
        assert_eq!(
            call("divf", vec![i(1), i(0)]).unwrap_err(),
            "decimal division by 0"
        );
        assert_eq!(
            call("addf", vec![s("NaN"), i(1)]).unwrap_err(),
            "Cannot create a Decimal from NaN"
        );
    }

    #[test]
    fn float_helpers() {
        assert_eq!(float("maxf", vec![i(1), f(2.5), s("3.5")]), 3.5);
        assert_eq!(float("minf", vec![i(1), f(2.5)]), 1.0);
        assert!(float("maxf", vec![s("NaN"), i(1)]).is_nan());
        assert_eq!(float("minf", vec![i(1), s("abc")]), 0.0);
        assert_eq!(float("floor", vec![f(1.5)]), 1.0);
        assert_eq!(float("ceil", vec![f(1.2)]), 2.0);
        assert_eq!(float("floor", vec![s("-1.5")]), -2.0);
        assert_eq!(float("round", vec![f(1.2345), i(2)]), 1.23);
        assert_eq!(float("round", vec![f(1.235), i(2)]), 1.24);
        assert_eq!(float("round", vec![f(2.5), i(0)]), 3.0);
        assert_eq!(float("round", vec![f(-2.5), i(0)]), -3.0);
        assert_eq!(float("round", vec![f(1.234), i(2), f(0.3)]), 1.24);
        assert_eq!(float("round", vec![f(123.456), i(-1)]), 120.0);
    }

    #[test]
    fn ranges() {
        let show = |name: &str, args: Vec<Value>| format_v(&call(name, args).unwrap());
        assert_eq!(show("until", vec![i(3)]), "[0 1 2]");
        assert_eq!(show("until", vec![i(-3)]), "[0 -1 -2]");
        assert_eq!(show("until", vec![i(0)]), "[]");
        assert_eq!(call("until", vec![i(2)]).unwrap().go_type(), "[]int");
        assert_eq!(show("untilStep", vec![i(0), i(10), i(3)]), "[0 3 6 9]");
        assert_eq!(show("untilStep", vec![i(10), i(0), i(-3)]), "[10 7 4 1]");
        assert_eq!(show("untilStep", vec![i(0), i(10), i(0)]), "[]");
        assert_eq!(show("untilStep", vec![i(0), i(10), i(-1)]), "[]");
        let cases: [(&[i64], &str); 11] = [
            (&[5], "1 2 3 4 5"),
            (&[-3], "1 0 -1 -2 -3"),
            (&[0], "1 0"),
            (&[2, 5], "2 3 4 5"),
            (&[5, 2], "5 4 3 2"),
            (&[0, 2, 10], "0 2 4 6 8 10"),
            (&[10, -2, 0], "10 8 6 4 2 0"),
            (&[10, 2, 0], ""),
            (&[0, -2, 10], ""),
            (&[], ""),
            (&[1, 2, 3, 4], ""),
        ];
        for (params, want) in cases {
            let args = params.iter().map(|&n| i(n)).collect();
            assert_eq!(show("seq", args), want, "seq {params:?}");
        }
    }

    #[test]
    fn rand_int_stays_in_range() {
        assert!(call("randInt", vec![i(5), i(6)]).unwrap().deep_equal(&i(5)));
        assert_eq!(
            call("randInt", vec![i(5), i(5)]).unwrap_err(),
            "invalid argument to Intn"
        );
    }
}
