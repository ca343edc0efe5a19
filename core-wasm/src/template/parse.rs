//! The parser of Go templates: pipelines, actions and `define`d templates.
