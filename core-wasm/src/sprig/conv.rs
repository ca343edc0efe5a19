//! Sprig: type conversions (spf13/cast semantics) shared by the other families.

use crate::funcs::Func;

pub(super) fn register(_out: &mut Vec<Func>) {}
