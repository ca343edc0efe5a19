//! Sprig's `env` and `expandenv`, which Helm removes from chart templates but which its
//! `--name-template` (Sprig's whole `TxtFuncMap`) still has. The sandbox has no environment, so
//! every variable reads as unset: `env "HOME"` is "" and `expandenv "$HOME/x"` is "/x".

use crate::template::func::{Ctx, Func};
use crate::value::{Ty, Value};

/// Appends `env` and `expandenv`; only the name-template function map wants them.
pub fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("env", &[Ty::String], env),
        Func::new("expandenv", &[Ty::String], expandenv),
    ]);
}

fn env(_: &mut Ctx<'_>, _: Vec<Value>) -> Result<Value, String> {
    Ok(Value::str(""))
}

fn expandenv(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(expand(args[0].as_str().unwrap_or_default())))
}

/// Go's `os.Expand` with every variable unset: `$NAME` and `${NAME}` vanish, bad syntax
/// (`${}`, an unclosed `${`) is eaten, and a `$` followed by no name stays.
fn expand(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let (mut i, mut j) = (0, 0);
    while j < b.len() {
        if b[j] == b'$' && j + 1 < b.len() {
            out.extend_from_slice(&b[i..j]);
            let (name_len, width) = shell_name(&b[j + 1..]);
            if name_len == 0 && width == 0 {
                out.push(b'$');
            }
            j += width;
            i = j + 1;
        }
        j += 1;
    }
    out.extend_from_slice(&b[i.min(b.len())..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `getShellName`: the length of the name after a `$` and how many bytes it spans.
fn shell_name(s: &[u8]) -> (usize, usize) {
    let special = |c: u8| b"*#$@!?-".contains(&c) || c.is_ascii_digit();
    if s[0] == b'{' {
        if s.len() > 2 && special(s[1]) && s[2] == b'}' {
            return (1, 3);
        }
        return match s.iter().skip(1).position(|&c| c == b'}') {
            Some(0) => (0, 2),
            Some(n) => (n, n + 2),
            None => (0, 1),
        };
    }
    if special(s[0]) {
        return (1, 1);
    }
    let n = s
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (n, n)
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn expansion_follows_go_with_an_empty_environment() {
        // Go: os.Expand(s, func(string) string { return "" }).
        assert_eq!(expand("$HOME/x"), "/x");
        assert_eq!(expand("a${B}c"), "ac");
        assert_eq!(expand("a${}c"), "ac");
        assert_eq!(expand("a${c"), "ac");
        assert_eq!(expand("cost $"), "cost $");
        assert_eq!(expand("$ x"), "$ x");
        assert_eq!(expand("$1$@x"), "x");
        assert_eq!(expand("no vars"), "no vars");
        assert_eq!(expand("é$Aé"), "éé");
    }
}
