//! Sprig: `urlParse` and `urlJoin`, over a port of the parts of Go's `net/url` they use
//! (`Parse`, `Hostname`, `Userinfo.String`, `URL.String` and its escaping rules).

use std::collections::BTreeMap;

use super::strings::{from_go_bytes, str_arg};
use crate::template::func::Func;
use crate::value::{Ty, Value};

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("urlParse", &[Ty::String], |_, a| {
            let raw = str_arg(&a[0]);
            let u = parse(raw).map_err(|e| {
                format!("unable to parse url: parse {}: {e}", crate::go::quote(raw))
            })?;
            let hostname = u.hostname().to_string();
            let entries: BTreeMap<String, Value> = [
                ("scheme", u.scheme),
                ("host", u.host),
                ("hostname", hostname),
                ("path", u.path),
                ("query", u.raw_query),
                ("opaque", u.opaque),
                ("fragment", u.fragment),
                (
                    "userinfo",
                    u.user.map(|u| u.to_string()).unwrap_or_default(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::from(v)))
            .collect();
            Ok(Value::map(entries))
        }),
        Func::new("urlJoin", &[Ty::Map], |_, a| {
            let Some(d) = a[0].as_map() else {
                return Ok(Value::str(""));
            };
            let get = |key: &str| -> Result<String, String> {
                match d.get(key) {
                    None => Ok(String::new()),
                    Some(Value::String(s)) => Ok(s.to_string()),
                    Some(Value::Nil) => Err(format!(
                        "unable to parse {key} key, must be of type string, but %!s(<nil>) found"
                    )),
                    Some(other) => Err(format!(
                        "unable to parse {key} key, must be of type string, but {} found",
                        other.go_type()
                    )),
                }
            };
            let mut u = Url {
                scheme: get("scheme")?,
                host: get("host")?,
                path: get("path")?,
                raw_query: get("query")?,
                opaque: get("opaque")?,
                fragment: get("fragment")?,
                ..Url::default()
            };
            let userinfo = get("userinfo")?;
            if !userinfo.is_empty() {
                let probe = format!("proto://{userinfo}@host");
                let tmp = parse(&probe).map_err(|e| {
                    format!(
                        "unable to parse userinfo in dict: parse {}: {e}",
                        crate::go::quote(&probe)
                    )
                })?;
                u.user = tmp.user;
            }
            Ok(Value::from(u.to_string()))
        }),
    ]);
}

/// `url.Userinfo`: a user name and an optional password.
#[derive(Clone, Debug, Default)]
struct User {
    name: String,
    password: Option<String>,
}

impl std::fmt::Display for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape(&self.name, Mode::UserPassword))?;
        if let Some(p) = &self.password {
            write!(f, ":{}", escape(p, Mode::UserPassword))?;
        }
        Ok(())
    }
}

/// The fields of Go's `url.URL` that Sprig reads or writes.
#[derive(Clone, Debug, Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<User>,
    host: String,
    path: String,
    force_query: bool,
    raw_query: String,
    fragment: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// Go's `escape`: `%XX` for every byte that must be escaped in this part of a URL.
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Go's `unescape` (never in query mode, so `+` stays `+`).
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: Option<&u8>| c.and_then(|c| char::from(*c).to_digit(16));
                let (Some(h), Some(l)) = (hex(b.get(i + 1)), hex(b.get(i + 2))) else {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::go::quote(&from_go_bytes(&b[i..end]))
                    ));
                };
                // In a host, only `%25` and escapes of non-ASCII bytes are allowed.
                if mode == Mode::Host && h < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::go::quote(&s[i..i + 3])
                    ));
                }
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        crate::go::quote(&s[i..i + 1])
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(from_go_bytes(&out))
}

/// Go's `url.Parse`.
fn parse(raw: &str) -> Result<Url, String> {
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    let mut u = parse_no_fragment(rest)?;
    if let Some(f) = frag {
        u.fragment = unescape(f, Mode::Fragment)?;
    }
    Ok(u)
}

fn parse_no_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut u = Url::default();
    if raw.is_empty() {
        return Ok(u);
    }
    if raw == "*" {
        u.path = "*".into();
        return Ok(u);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    u.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        u.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        parse_authority(&mut u, authority)?;
        rest = path;
    }
    u.path = unescape(rest, Mode::Path)?;
    Ok(u)
}

/// Go's `getScheme`: a scheme is letters then letters, digits, `+`, `-` or `.`, before a `:`.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(u: &mut Url, authority: &str) -> Result<(), String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    u.host = parse_host(host)?;
    if let Some(ui) = userinfo {
        let valid = ui
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c));
        if !valid {
            return Err("net/url: invalid userinfo".into());
        }
        u.user = Some(match ui.split_once(':') {
            Some((n, p)) => User {
                name: unescape(n, Mode::UserPassword)?,
                password: Some(unescape(p, Mode::UserPassword)?),
            },
            None => User {
                name: unescape(ui, Mode::UserPassword)?,
                password: None,
            },
        });
    }
    Ok(())
}

/// Go's `parseHost`: bracketed IPv6 literals, and a port that must be digits.
fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[end + 1..];
        if !valid_optional_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::quote(port)
            ));
        }
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::quote(port)
            ));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

impl Url {
    /// Go's `URL.Hostname`: the host without port and IPv6 brackets.
    fn hostname(&self) -> &str {
        let h = &self.host;
        if let Some(rest) = h.strip_prefix('[') {
            return rest.find(']').map_or(rest, |i| &rest[..i]);
        }
        match h.rfind(':') {
            Some(i) if valid_optional_port(&h[i..]) => &h[..i],
            _ => h,
        }
    }
}

impl std::fmt::Display for Url {
    /// Go's `URL.String`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(user) = &self.user {
                    buf.push_str(&format!("{user}@"));
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            // A relative path whose first segment has a colon would read as a scheme.
            if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        f.write_str(&buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn parsed(raw: &str) -> Vec<String> {
        let v =
            super::super::strings::call_fn(register, "urlParse", vec![Value::str(raw)]).unwrap();
        let m = v.as_map().unwrap();
        [
            "scheme", "host", "hostname", "path", "query", "opaque", "fragment", "userinfo",
        ]
        .iter()
        .map(|k| m.get(k).unwrap().as_str().unwrap().to_string())
        .collect()
    }

    #[test]
    fn url_parse_matches_helm() {
        // scheme, host, hostname, path, query, opaque, fragment, userinfo (Helm 4.3.1).
        let cases: &[(&str, [&str; 8])] = &[
            (
                "https://user:p%40ss@example.com:8443/a%20b/c?x=1&y=2#frag%21",
                [
                    "https",
                    "example.com:8443",
                    "example.com",
                    "/a b/c",
                    "x=1&y=2",
                    "",
                    "frag!",
                    "user:p%40ss",
                ],
            ),
            (
                "mailto:joe@x.org",
                ["mailto", "", "", "", "", "joe@x.org", "", ""],
            ),
            ("/rel/path?q", ["", "", "", "/rel/path", "q", "", "", ""]),
            ("", ["", "", "", "", "", "", "", ""]),
            (
                "HTTP://[::1]:80/x",
                ["http", "[::1]:80", "::1", "/x", "", "", "", ""],
            ),
            ("foo", ["", "", "", "foo", "", "", "", ""]),
            ("//host/p", ["", "host", "host", "/p", "", "", "", ""]),
            (
                "s3://bucket",
                ["s3", "bucket", "bucket", "", "", "", "", ""],
            ),
            (
                "https://ex.com?",
                ["https", "ex.com", "ex.com", "", "", "", "", ""],
            ),
            ("a:b/c:d", ["a", "", "", "", "", "b/c:d", "", ""]),
            ("x/a:b", ["", "", "", "x/a:b", "", "", "", ""]),
        ];
        for (raw, want) in cases {
            assert_eq!(parsed(raw), want, "{raw:?}");
        }
        let err = |raw: &str| {
            super::super::strings::call_fn(register, "urlParse", vec![Value::str(raw)]).unwrap_err()
        };
        assert_eq!(
            err("http://a b"),
            r#"unable to parse url: parse "http://a b": invalid character " " in host name"#
        );
        assert_eq!(
            err(":x"),
            r#"unable to parse url: parse ":x": missing protocol scheme"#
        );
        assert_eq!(
            err("http://h/%zz"),
            r#"unable to parse url: parse "http://h/%zz": invalid URL escape "%zz""#
        );
        assert_eq!(
            err("http://h:abc/"),
            r#"unable to parse url: parse "http://h:abc/": invalid port ":abc" after host"#
        );
    }

    #[test]
    fn url_join_matches_helm() {
        let join = |pairs: &[(&str, Value)]| {
            let m = Map::new();
            for (k, v) in pairs {
                m.insert(*k, v.clone());
            }
            super::super::strings::call_fn(register, "urlJoin", vec![Value::Map(m)])
        };
        let s = Value::str;
        assert_eq!(
            join(&[
                ("scheme", s("https")),
                ("host", s("ex.com:80")),
                ("path", s("/a b/?c")),
                ("query", s("x=1")),
                ("fragment", s("f g#h")),
                ("userinfo", s("u:p@w")),
            ])
            .unwrap()
            .as_str(),
            Some("https://u:p%40w@ex.com:80/a%20b/%3Fc?x=1#f%20g%23h")
        );
        assert_eq!(
            join(&[("scheme", s("mailto")), ("opaque", s("joe@x.org"))])
                .unwrap()
                .as_str(),
            Some("mailto:joe@x.org")
        );
        assert_eq!(
            join(&[("path", s("a:b/c"))]).unwrap().as_str(),
            Some("./a:b/c")
        );
        assert_eq!(
            join(&[("host", s("h")), ("path", s("p"))])
                .unwrap()
                .as_str(),
            Some("//h/p")
        );
        assert_eq!(join(&[]).unwrap().as_str(), Some(""));
        assert_eq!(
            join(&[("host", Value::int(1))]).unwrap_err(),
            "unable to parse host key, must be of type string, but int found"
        );
    }
}
