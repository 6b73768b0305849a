//! IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`) in
//! `Resource` entries and string/ARN condition values, resolved from the request context.
//!
//! IAM reference ("Policy variables"): variables are only substituted when the policy's
//! `Version` is `2012-10-17`; under `2008-10-17` or without `Version` the text is literal (a
//! classic trap). A variable whose key is missing (or multivalued) and has no default cannot be
//! resolved, and AWS says that "might cause the entire statement to be invalid": this crate makes
//! such a statement not apply. `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`;
//! substituted values are literal text, never wildcards.

use crate::Context;
use crate::condition::fold_key;

/// One element of a compiled pattern: a literal character or a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Atom {
    Char(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Policy text between variables; its `*` and `?` are wildcards.
    Text(Box<str>),
    /// `${*}`, `${?}`, `${$}`.
    Literal(char),
    Var {
        /// Lowercased context key.
        key: Box<str>,
        default: Option<Box<str>>,
    },
}

/// A string containing at least one policy variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `text`; `Ok(None)` when it has no `${` (the common case, kept on the fast path).
    pub(crate) fn parse(text: &str) -> Result<Option<Template>, String> {
        if !text.contains("${") {
            return Ok(None);
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].into()));
            }
            let body_start = start + 2;
            let close = find_close(&rest[body_start..]).ok_or_else(|| {
                format!(
                    "policy variable in `{}` is not closed; write `${{aws:username}}`, or `${{$}}` for a literal `$`",
                    crate::json::truncate(text)
                )
            })?;
            let body = &rest[body_start..body_start + close];
            pieces.push(parse_body(body, text)?);
            rest = &rest[body_start + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.into()));
        }
        Ok(Some(Template { pieces }))
    }

    /// Expands into pattern atoms; `None` when a variable cannot be resolved.
    pub(crate) fn expand(&self, context: &Context) -> Option<Vec<Atom>> {
        let mut atoms = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => atoms.extend(text.chars().map(|c| match c {
                    '*' => Atom::Star,
                    '?' => Atom::One,
                    c => Atom::Char(c),
                })),
                Piece::Literal(c) => atoms.push(Atom::Char(*c)),
                Piece::Var { key, default } => {
                    let value = match context.get_folded(key) {
                        // Multivalued keys cannot be variables (IAM reference).
                        Some([one]) => one.as_str(),
                        _ => default.as_deref()?,
                    };
                    atoms.extend(value.chars().map(Atom::Char));
                }
            }
        }
        Some(atoms)
    }
}

/// Finds the `}` closing a variable body, skipping quoted defaults (`''` is an escaped quote).
fn find_close(body: &str) -> Option<usize> {
    let mut in_quote = false;
    for (i, c) in body.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '}' if !in_quote => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_body(body: &str, whole: &str) -> Result<Piece, String> {
    match body {
        "*" => return Ok(Piece::Literal('*')),
        "?" => return Ok(Piece::Literal('?')),
        "$" => return Ok(Piece::Literal('$')),
        _ => {}
    }
    let (key, default) = match body.split_once(',') {
        None => (body.trim(), None),
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .filter(|_| default.len() >= 2)
                .ok_or_else(|| {
                    format!(
                        "default of policy variable `${{{}}}` must be quoted, e.g. `${{aws:username, 'anonymous'}}`",
                        crate::json::truncate(body)
                    )
                })?;
            (key.trim(), Some(quoted.replace("''", "'").into_boxed_str()))
        }
    };
    if key.is_empty() || key.contains(char::is_whitespace) || !key.contains(':') {
        return Err(format!(
            "policy variable `${{{}}}` in `{}` must name a condition key such as `${{aws:username}}`",
            crate::json::truncate(body),
            crate::json::truncate(whole)
        ));
    }
    Ok(Piece::Var {
        key: fold_key(key).into(),
        default,
    })
}

/// Wildcard match over atoms, the same backtracking scan as `glob::glob_match` but over
/// characters, so literal `*`/`?` from variables stay literal.
pub(crate) fn atoms_match(pattern: &[Atom], value: &str, fold_ascii: bool) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let same = |a: char, b: char| {
        if fold_ascii {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut v) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    while v < chars.len() {
        match pattern.get(p) {
            Some(Atom::Star) => {
                resume = Some((p, v));
                p += 1;
                continue;
            }
            Some(Atom::One) => {
                p += 1;
                v += 1;
                continue;
            }
            Some(Atom::Char(c)) if same(*c, chars[v]) => {
                p += 1;
                v += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((star, from)) => {
                resume = Some((star, from + 1));
                p = star + 1;
                v = from + 1;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|a| *a == Atom::Star)
}

/// The text of atoms, for operators without wildcards (`StringEquals`, ...).
pub(crate) fn atoms_text(atoms: &[Atom]) -> String {
    atoms
        .iter()
        .map(|a| match a {
            Atom::Char(c) => *c,
            Atom::Star => '*',
            Atom::One => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(text: &str, context: &Context) -> Option<String> {
        Template::parse(text)
            .expect("valid template")
            .expect("has a variable")
            .expand(context)
            .map(|a| atoms_text(&a))
    }

    #[test]
    fn plain_text_is_not_a_template() {
        assert_eq!(Template::parse("arn:aws:s3:::b/*"), Ok(None));
    }

    #[test]
    fn variables_resolve_from_the_context_with_defaults() {
        let ctx = Context::new().with("aws:username", "alice");
        assert_eq!(
            expand("arn:aws:s3:::home/${aws:username}/*", &ctx).as_deref(),
            Some("arn:aws:s3:::home/alice/*")
        );
        assert_eq!(
            expand("${AWS:UserName}", &ctx).as_deref(),
            Some("alice"),
            "keys ignore case"
        );
        assert_eq!(expand("${aws:PrincipalTag/team}", &ctx), None);
        assert_eq!(
            expand("${ aws:PrincipalTag/team , 'it''s none' }", &ctx).as_deref(),
            Some("it's none")
        );
        let multi = Context::new()
            .with("aws:TagKeys", "a")
            .with("aws:TagKeys", "b");
        assert_eq!(expand("${aws:TagKeys}", &multi), None);
    }

    #[test]
    fn literal_escapes_and_substituted_values_are_not_wildcards() {
        let ctx = Context::new().with("aws:username", "a*b");
        let atoms = Template::parse("x${*}y${aws:username}")
            .expect("valid")
            .expect("template")
            .expand(&ctx)
            .expect("resolved");
        assert!(atoms_match(&atoms, "x*ya*b", false));
        assert!(!atoms_match(&atoms, "xZya*b", false));
        assert!(!atoms_match(&atoms, "x*yaZZb", false));
        let wild = Template::parse("home/${aws:username}/*")
            .expect("valid")
            .expect("template")
            .expand(&Context::new().with("aws:username", "bob"))
            .expect("resolved");
        assert!(atoms_match(&wild, "home/bob/x/y", false));
        assert!(!atoms_match(&wild, "home/bobby/x", false));
        assert_eq!(expand("${$}{x}${?}", &ctx).as_deref(), Some("${x}?"));
    }

    #[test]
    fn malformed_variables_are_rejected() {
        assert!(Template::parse("arn:aws:s3:::b/${aws:username").is_err());
        assert!(Template::parse("${}").is_err());
        assert!(Template::parse("${aws:username, anonymous}").is_err());
        assert!(Template::parse("${user name}").is_err());
    }

    #[test]
    fn atoms_match_case_folding_and_backtracking() {
        let atoms: Vec<Atom> = "S3:Get*Object"
            .chars()
            .map(|c| if c == '*' { Atom::Star } else { Atom::Char(c) })
            .collect();
        assert!(atoms_match(&atoms, "s3:getversionobject", true));
        assert!(!atoms_match(&atoms, "s3:getversionobject", false));
        assert!(atoms_match(
            &[Atom::One, Atom::Char('é')],
            "\u{1F600}é",
            false
        ));
    }
}
