//! huandu/xstrings' case conversions as Sprig v3.3 uses them: `camelcase` (upper camel case,
//! runs of capitals folded), `snakecase` and `kebabcase` (word splitting on case, digits,
//! punctuation and connectors).

use super::{go_lower, go_upper};

/// Go's `utf8.RuneError`; xstrings skips it as an undecodable rune.
const RUNE_ERROR: char = '\u{FFFD}';

/// xstrings' connectors: `-`, `_` and Unicode white space.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

fn is_alphabet(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

/// Go's `unicode.IsPunct` (category P). ASCII exactly; beyond ASCII the common punctuation
/// blocks (Latin-1, general punctuation, CJK and full-width forms).
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    matches!(c,
        '\u{A1}' | '\u{A7}' | '\u{AB}' | '\u{B6}' | '\u{B7}' | '\u{BB}' | '\u{BF}' | '\u{37E}'
        | '\u{387}' | '\u{55A}'..='\u{55F}' | '\u{589}'..='\u{58A}' | '\u{5BE}' | '\u{5C0}'
        | '\u{5C3}' | '\u{5C6}' | '\u{5F3}'..='\u{5F4}' | '\u{609}'..='\u{60A}'
        | '\u{60C}'..='\u{60D}' | '\u{61B}' | '\u{61D}'..='\u{61F}' | '\u{66A}'..='\u{66D}'
        | '\u{6D4}' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{2043}' | '\u{2045}'..='\u{2051}'
        | '\u{2053}'..='\u{205E}' | '\u{207D}'..='\u{207E}' | '\u{208D}'..='\u{208E}'
        | '\u{2308}'..='\u{230B}' | '\u{2329}'..='\u{232A}' | '\u{2768}'..='\u{2775}'
        | '\u{27C5}'..='\u{27C6}' | '\u{27E6}'..='\u{27EF}' | '\u{2983}'..='\u{2998}'
        | '\u{29D8}'..='\u{29DB}' | '\u{29FC}'..='\u{29FD}' | '\u{2E00}'..='\u{2E2E}'
        | '\u{2E30}'..='\u{2E4F}' | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}' | '\u{3030}' | '\u{303D}' | '\u{30A0}' | '\u{30FB}'
        | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE52}' | '\u{FE54}'..='\u{FE61}'
        | '\u{FE63}' | '\u{FE68}' | '\u{FE6A}'..='\u{FE6B}' | '\u{FF01}'..='\u{FF03}'
        | '\u{FF05}'..='\u{FF0A}' | '\u{FF0C}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF1B}'
        | '\u{FF1F}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF3D}' | '\u{FF3F}' | '\u{FF5B}'
        | '\u{FF5D}' | '\u{FF5F}'..='\u{FF65}')
}

/// xstrings' `toCamelCase(s, true)`: connectors between words dropped (one kept of a run), the
/// first letter of each word upper-cased, a leading run of capitals folded to lower case.
pub(super) fn to_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut found = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = go_upper(c);
            found = true;
            break;
        }
        out.push(c);
    }
    if !found {
        return out;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = go_upper(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = go_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// The next rune that is not U+FFFD, with the bytes consumed to reach it; `prev` when none is.
fn next_valid(s: &str, prev: char) -> (char, usize) {
    let mut size = 0;
    for c in s.chars() {
        size += c.len_utf8();
        if c != RUNE_ERROR {
            return (c, size);
        }
    }
    (prev, size)
}

/// xstrings' `nextWord`: the type and text of the leading word, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    if s.is_empty() {
        return (Word::Invalid, "", "");
    }
    let (mut r, size) = next_valid(s, RUNE_ERROR);
    let mut offset = size;
    if r == RUNE_ERROR {
        return (Word::Invalid, &s[..offset], &s[offset..]);
    }
    let mut remaining = &s[size..];
    // Extends the word while `keep` holds for the next valid rune.
    let extend =
        |remaining: &mut &str, offset: &mut usize, r: &mut char, keep: &dyn Fn(char) -> bool| {
            while !remaining.is_empty() {
                let (c, size) = next_valid(remaining, *r);
                *r = c;
                if !keep(c) {
                    break;
                }
                *offset += size;
                *remaining = &remaining[size..];
            }
        };
    let wt = if is_connector(r) {
        extend(&mut remaining, &mut offset, &mut r, &is_connector);
        Word::Connector
    } else if is_punct(r) {
        extend(&mut remaining, &mut offset, &mut r, &is_punct);
        Word::Punct
    } else if r.is_uppercase() {
        if !remaining.is_empty() {
            let (c, size) = next_valid(remaining, r);
            r = c;
            if c.is_uppercase() {
                let mut prev_size = size;
                offset += size;
                remaining = &remaining[size..];
                while !remaining.is_empty() {
                    let (c, size) = next_valid(remaining, r);
                    r = c;
                    if !c.is_uppercase() {
                        break;
                    }
                    prev_size = size;
                    offset += size;
                    remaining = &remaining[size..];
                }
                // "HTTPStatus" splits as "HTTP" + "Status": the last capital starts the next word.
                if !remaining.is_empty() && is_alphabet(r) {
                    offset -= prev_size;
                    remaining = &s[offset..];
                }
            } else if is_alphabet(c) {
                offset += size;
                remaining = &remaining[size..];
                extend(&mut remaining, &mut offset, &mut r, &|c| {
                    is_alphabet(c) && !c.is_uppercase()
                });
            }
        }
        Word::Upper
    } else if is_alphabet(r) {
        extend(&mut remaining, &mut offset, &mut r, &|c| {
            is_alphabet(c) && !c.is_uppercase()
        });
        Word::Alphabet
    } else if r.is_numeric() {
        extend(&mut remaining, &mut offset, &mut r, &|c: char| {
            c.is_numeric()
        });
        Word::Number
    } else {
        extend(&mut remaining, &mut offset, &mut r, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
        Word::Other
    };
    (wt, &s[..offset], remaining)
}

/// xstrings' `toLower`: upper-case words and connectors are rewritten, others copied.
fn push_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase`: `snakecase` with `_`, `kebabcase` with `-`.
pub(super) fn to_lower_words(s: &str, connector: char) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    let separates = |wt: Word| wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector;
    while !remaining.is_empty() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if separates(wt) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let number = word;
                (wt, word, remaining) = next_word(remaining);
                // A number followed by anything but letters belongs to the previous word
                // ("Bld4Floor" -> "bld4_floor").
                if wt != Word::Alphabet {
                    push_lower(&mut out, Word::Number, number, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // Letters after a number start a new word with it ("HTTP2xx" -> "http_2xx").
                out.push(connector);
                push_lower(&mut out, Word::Number, number, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if separates(wt) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}
