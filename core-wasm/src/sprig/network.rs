//! Sprig: network functions.
//!
//! `getHostByName` would resolve DNS, but Helm only allows that with `--enable-dns`; otherwise
//! (always for `helm template`) it answers "" without a lookup. The sandbox has no network, so
//! that offline answer is the only one.

use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

pub(crate) fn register(out: &mut Vec<Func>) {
    out.push(Func::new("getHostByName", &[Ty::String], get_host_by_name));
}

fn get_host_by_name(_: &mut Ctx<'_>, _: Vec<Value>) -> Result<Value, String> {
    Ok(Value::str(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;

    #[test]
    fn offline_lookup_is_empty() {
        // Oracle: `getHostByName "localhost"` renders "" under helm template.
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        let v = get_host_by_name(&mut ctx, vec![Value::str("localhost")]).unwrap();
        assert_eq!(v.as_str(), Some(""));
    }
}
