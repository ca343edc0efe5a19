//! Golden files: what the oracle printed for each case of one cases file.
//!
//! ```text
//! # <header lines>
//! # helm <version>
//! === <case name> <raw|stdout|error> <byte length>
//! <exactly that many bytes>
//! ```
//! Each entry's text is followed by one newline. Lengths make any text safe to store, while
//! the file still reads like the outputs themselves.

use std::collections::BTreeMap;
use std::path::Path;

use super::Observed;

pub struct Goldens {
    pub helm_version: String,
    pub entries: BTreeMap<String, Observed>,
}

const VERSION_PREFIX: &str = "# helm ";

pub fn render(family: &str, helm_version: &str, entries: &[(String, Observed)]) -> String {
    let mut out = format!(
        "# Goldens for {family}.cases, recorded from the oracle by scripts/record-goldens.\n\
         # Never edit by hand or write from our own output.\n\
         {VERSION_PREFIX}{helm_version}\n"
    );
    for (name, obs) in entries {
        let text = obs.text();
        out.push_str(&format!(
            "=== {name} {} {}\n{text}\n",
            obs.kind(),
            text.len()
        ));
    }
    out
}

pub fn read(path: &Path) -> Result<Goldens, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&data).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(data: &str) -> Result<Goldens, String> {
    let mut helm_version = None;
    let mut entries = BTreeMap::new();
    let mut rest = data;
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n').ok_or("unterminated header line")?;
        if let Some(v) = line.strip_prefix(VERSION_PREFIX) {
            helm_version = Some(v.to_string());
            rest = after;
            continue;
        }
        if line.starts_with('#') {
            rest = after;
            continue;
        }
        let header = line
            .strip_prefix("=== ")
            .ok_or_else(|| format!("expected `=== name kind length`, found {line:?}"))?;
        let mut parts = header.split(' ');
        let (Some(name), Some(kind), Some(len), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("bad entry header {line:?}"));
        };
        let len: usize = len.parse().map_err(|_| format!("bad length in {line:?}"))?;
        let text = after
            .get(..len)
            .ok_or_else(|| format!("entry {name:?} is truncated"))?;
        rest = after[len..]
            .strip_prefix('\n')
            .ok_or_else(|| format!("entry {name:?} does not end with a newline"))?;
        let obs = Observed::from_kind(kind, text.to_string())
            .ok_or_else(|| format!("entry {name:?} has unknown kind {kind:?}"))?;
        entries.insert(name.to_string(), obs);
    }
    Ok(Goldens {
        helm_version: helm_version.ok_or("no `# helm <version>` line")?,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_text() {
        let entries = vec![
            (
                "a".to_string(),
                Observed::Raw("x\n=== b raw 1\n".to_string()),
            ),
            ("b".to_string(), Observed::Error(String::new())),
            ("c".to_string(), Observed::Stdout("é\n".to_string())),
        ];
        let g = parse(&render("f", "v4.3.1", &entries)).unwrap();
        assert_eq!(g.helm_version, "v4.3.1");
        assert_eq!(g.entries.len(), 3);
        for (name, obs) in &entries {
            assert_eq!(&g.entries[name], obs);
        }
    }
}
