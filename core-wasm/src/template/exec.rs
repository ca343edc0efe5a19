//! The executor of Go templates over [`crate::value::Value`].
