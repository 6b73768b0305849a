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
    /// `${*}`, `${?}`, `${$}`: one literal character.
    Literal(&'static str),
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

    /// A template of plain policy text (its `*` and `?` are wildcards), so values with and
    /// without variables are matched by the same code.
    pub(crate) fn text(text: &str) -> Template {
        Template {
            pieces: vec![Piece::Text(text.into())],
        }
    }

    /// The template read against `context`; `None` when a variable cannot be resolved. Reads
    /// the context only: nothing is expanded into a buffer.
    pub(crate) fn resolve<'a>(&'a self, context: &'a Context) -> Option<Resolved<'a>> {
        let resolved = Resolved {
            pieces: &self.pieces,
            context,
        };
        for index in 0..self.pieces.len() {
            resolved.piece_text(index)?;
        }
        Some(resolved)
    }
}

/// A template whose variables all resolve in one request's context, read atom by atom.
#[derive(Clone, Copy)]
pub(crate) struct Resolved<'a> {
    pieces: &'a [Piece],
    context: &'a Context,
}

/// A place in a [`Resolved`] template: the unread rest of piece `piece`.
#[derive(Clone, Copy)]
struct Pos<'a> {
    piece: usize,
    rest: &'a str,
}

impl PartialEq for Pos<'_> {
    fn eq(&self, other: &Self) -> bool {
        // Positions come from one walk over one template, so the piece and how much of it is
        // left identify them.
        self.piece == other.piece && self.rest.len() == other.rest.len()
    }
}

impl<'a> Resolved<'a> {
    /// The text piece `index` stands for: policy text, a literal, or the variable's value.
    fn piece_text(&self, index: usize) -> Option<&'a str> {
        match self.pieces.get(index)? {
            Piece::Text(text) => Some(text),
            Piece::Literal(text) => Some(text),
            Piece::Var { key, default } => match self.context.get_folded(key) {
                // Multivalued keys cannot be variables (IAM reference).
                Some([one]) => Some(one.as_str()),
                _ => default.as_deref(),
            },
        }
    }

    fn start(&self) -> Pos<'a> {
        Pos {
            piece: 0,
            rest: self.piece_text(0).unwrap_or_default(),
        }
    }

    /// The atom at `pos` and the place after it; `None` at the end (or at `end`).
    fn next(&self, mut pos: Pos<'a>, end: Option<Pos<'a>>) -> Option<(Atom, Pos<'a>)> {
        loop {
            if Some(pos) == end {
                return None;
            }
            if let Some(c) = pos.rest.chars().next() {
                // Only policy text has wildcards; substituted values and escapes are literal.
                let wild = matches!(self.pieces.get(pos.piece), Some(Piece::Text(_)));
                let atom = match c {
                    '*' if wild => Atom::Star,
                    '?' if wild => Atom::One,
                    c => Atom::Char(c),
                };
                pos.rest = &pos.rest[c.len_utf8()..];
                return Some((atom, pos));
            }
            pos = Pos {
                piece: pos.piece + 1,
                rest: self.piece_text(pos.piece + 1)?,
            };
        }
    }

    /// The resolved text, wildcards included as written.
    fn chars(self) -> impl Iterator<Item = char> + 'a {
        (0..self.pieces.len()).flat_map(move |i| self.piece_text(i).unwrap_or_default().chars())
    }

    /// Whether `value` is exactly the resolved text (`StringEquals`: no wildcards).
    pub(crate) fn text_eq(self, value: &str) -> bool {
        self.chars().eq(value.chars())
    }

    /// Whether `value` is the resolved text, both lowercased char by char.
    pub(crate) fn folded_eq(self, value: &str) -> bool {
        let fold = |c: char| c.to_lowercase();
        value.chars().flat_map(fold).eq(self.chars().flat_map(fold))
    }

    /// Wildcard match of the whole template against `value`.
    pub(crate) fn is_match(&self, value: &str) -> bool {
        self.matches_between(self.start(), None, value, false)
    }

    /// ARN match: the template split at its first five colons (substituted colons included),
    /// each part matched against the same part of `value`, like the static ARN patterns.
    pub(crate) fn arn_match(&self, value: &str) -> bool {
        const N_PARTS: usize = 6;
        let start = self.start();
        let mut parts: [(Pos<'a>, Option<Pos<'a>>); N_PARTS] = [(start, None); N_PARTS];
        let (mut n_parts, mut pos) = (1, start);
        let (mut last, mut only_stars) = (None, true);
        while let Some((atom, after)) = self.next(pos, None) {
            if atom == Atom::Char(':') && n_parts < N_PARTS {
                parts[n_parts - 1].1 = Some(pos);
                parts[n_parts] = (after, None);
                n_parts += 1;
                last = None;
            } else {
                last = Some(atom);
            }
            only_stars &= atom == Atom::Star;
            pos = after;
        }
        if n_parts == 1 && only_stars && last.is_some() {
            return true;
        }
        if n_parts < N_PARTS && last != Some(Atom::Star) {
            return false;
        }
        let mut value_parts = value.splitn(n_parts, ':');
        parts[..n_parts].iter().all(|&(from, to)| {
            value_parts
                .next()
                .is_some_and(|v| self.matches_between(from, to, v, false))
        })
    }

    /// Wildcard match of the atoms from `from` to `to` (the end when `None`) against `value`:
    /// the same backtracking scan as `glob::glob_match`, over characters.
    fn matches_between(
        &self,
        from: Pos<'a>,
        to: Option<Pos<'a>>,
        value: &str,
        fold_ascii: bool,
    ) -> bool {
        let same = |a: char, b: char| {
            if fold_ascii {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            }
        };
        // `p` is a place in the pattern, `v` a byte offset in `value` on a char boundary.
        let (mut p, mut v) = (from, 0usize);
        // The place just after the latest star, and where in `value` that star's run ends.
        let mut resume: Option<(Pos<'a>, usize)> = None;
        while let Some(c) = value[v..].chars().next() {
            match self.next(p, to) {
                Some((Atom::Star, after)) => {
                    resume = Some((after, v));
                    p = after;
                    continue;
                }
                Some((Atom::One, after)) => {
                    p = after;
                    v += c.len_utf8();
                    continue;
                }
                Some((Atom::Char(a), after)) if same(a, c) => {
                    p = after;
                    v += c.len_utf8();
                    continue;
                }
                _ => {}
            }
            // Let the latest star absorb one more character.
            match resume {
                Some((after_star, from)) => {
                    let skipped = value[from..].chars().next().map_or(1, char::len_utf8);
                    resume = Some((after_star, from + skipped));
                    p = after_star;
                    v = from + skipped;
                }
                None => return false,
            }
        }
        let mut rest = p;
        while let Some((atom, after)) = self.next(rest, to) {
            if atom != Atom::Star {
                return false;
            }
            rest = after;
        }
        true
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
        "*" => return Ok(Piece::Literal("*")),
        "?" => return Ok(Piece::Literal("?")),
        "$" => return Ok(Piece::Literal("$")),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Template {
        Template::parse(text)
            .expect("valid template")
            .expect("has a variable")
    }

    fn expand(text: &str, context: &Context) -> Option<String> {
        template(text).resolve(context).map(|r| r.chars().collect())
    }

    fn like(pattern: &Template, value: &str) -> bool {
        pattern
            .resolve(&Context::new().with("aws:username", "a*b"))
            .expect("resolved")
            .is_match(value)
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
        let literal = template("x${*}y${aws:username}");
        assert!(like(&literal, "x*ya*b"));
        assert!(!like(&literal, "xZya*b"));
        assert!(!like(&literal, "x*yaZZb"));
        let wild = template("home/${aws:username}/*");
        let bob = Context::new().with("aws:username", "bob");
        let wild = wild.resolve(&bob).expect("resolved");
        assert!(wild.is_match("home/bob/x/y"));
        assert!(!wild.is_match("home/bobby/x"));
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
    fn matching_case_folding_and_backtracking() {
        let ctx = Context::new();
        let plain = Template::text("S3:Get*Object");
        let plain = plain.resolve(&ctx).expect("no variables");
        assert!(plain.matches_between(plain.start(), None, "s3:getversionobject", true));
        assert!(!plain.matches_between(plain.start(), None, "s3:getversionobject", false));
        let one = Template::text("?é");
        assert!(one.resolve(&ctx).expect("plain").is_match("\u{1F600}é"));
    }

    /// Plain text must match exactly as the compiled globs do (same wildcard rules), over
    /// every pattern and value built from a small alphabet with multi-byte characters.
    #[test]
    fn plain_text_matches_like_globs() {
        use crate::glob::{Case, Glob};
        let alphabet = ["a", "é", "*", "?", ":", "\u{1F600}"];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
            words.sort();
            words.dedup();
        }
        let values: Vec<&String> = words.iter().filter(|w| !w.contains(['*', '?'])).collect();
        let ctx = Context::new();
        let mut n_matches = 0;
        for pattern in &words {
            let glob = Glob::new(pattern, Case::Sensitive);
            let template = Template::text(pattern);
            let resolved = template.resolve(&ctx).expect("plain text resolves");
            for value in &values {
                let hit = glob.is_match(value);
                assert_eq!(resolved.is_match(value), hit, "{pattern:?} vs {value:?}");
                n_matches += usize::from(hit);
            }
        }
        assert!(n_matches > 1_000, "only {n_matches} matches");
    }
}
