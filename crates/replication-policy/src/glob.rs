//! IAM wildcard patterns (`*` any run of characters, `?` exactly one character), compiled once.
//!
//! Policies are compiled per scenario and matched for every permission decision, so a pattern is
//! classified up front (match-all, exact, prefix, suffix, general) and matching never allocates.

/// Whether letters must match exactly or ASCII-case-insensitively (IAM actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `Resource`, `StringLike`, ARN conditions: case matters.
    Sensitive,
    /// `Action`/`NotAction`: IAM matches action names without regard to case. Action names are
    /// ASCII, so ASCII folding is exact.
    AsciiInsensitive,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    shape: Shape,
    case: Case,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*`
    Any,
    /// No wildcard at all.
    Exact(Box<str>),
    /// `literal*`
    Prefix(Box<str>),
    /// `*literal`
    Suffix(Box<str>),
    /// Anything else; matched by the backtracking scan in [`glob_match`].
    General(Box<str>),
}

impl Glob {
    /// Compiles `pattern`; for [`Case::AsciiInsensitive`] the pattern is folded once here.
    pub(crate) fn new(pattern: &str, case: Case) -> Glob {
        let pattern: Box<str> = match case {
            Case::Sensitive => pattern.into(),
            Case::AsciiInsensitive => pattern.to_ascii_lowercase().into(),
        };
        let n_star = pattern.bytes().filter(|&b| b == b'*').count();
        let has_question = pattern.contains('?');
        let shape = if &*pattern == "*" {
            Shape::Any
        } else if n_star == 0 && !has_question {
            Shape::Exact(pattern)
        } else if n_star == 1 && !has_question && pattern.ends_with('*') {
            Shape::Prefix(pattern[..pattern.len() - 1].into())
        } else if n_star == 1 && !has_question && pattern.starts_with('*') {
            Shape::Suffix(pattern[1..].into())
        } else {
            Shape::General(pattern)
        };
        Glob { shape, case }
    }

    /// Matches `value` against the whole pattern.
    pub(crate) fn is_match(&self, value: &str) -> bool {
        let fold = self.case == Case::AsciiInsensitive;
        let value = value.as_bytes();
        match &self.shape {
            Shape::Any => true,
            Shape::Exact(p) => bytes_eq(p.as_bytes(), value, fold),
            Shape::Prefix(p) => {
                value.len() >= p.len() && bytes_eq(p.as_bytes(), &value[..p.len()], fold)
            }
            Shape::Suffix(p) => {
                value.len() >= p.len()
                    && bytes_eq(p.as_bytes(), &value[value.len() - p.len()..], fold)
            }
            Shape::General(p) => glob_match(p.as_bytes(), value, fold),
        }
    }
}

fn bytes_eq(pattern: &[u8], value: &[u8], fold: bool) -> bool {
    if fold {
        pattern.eq_ignore_ascii_case(value)
    } else {
        pattern == value
    }
}

/// Length in bytes of the UTF-8 character starting with `lead` (1 for a stray continuation byte).
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Classic linear-space wildcard scan: on a mismatch, resume after the most recent `*`, letting it
/// absorb one more character. `?` consumes one whole UTF-8 character, not one byte. Because `*`
/// matches any run, returning to only the latest star is enough (a later star can absorb anything
/// an earlier one could), so the scan is O(len(pattern) * len(value)) worst case and allocation-free.
fn glob_match(pattern: &[u8], value: &[u8], fold: bool) -> bool {
    let (mut p, mut v) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                resume = Some((p, v));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                v = (v + char_len(value[v])).min(value.len());
                continue;
            }
            Some(&c) => {
                let same = if fold {
                    c == value[v].to_ascii_lowercase()
                } else {
                    c == value[v]
                };
                if same {
                    p += 1;
                    v += 1;
                    continue;
                }
            }
            None => {}
        }
        match resume {
            Some((star, absorbed_from)) => {
                let next = (absorbed_from + char_len(value[absorbed_from])).min(value.len());
                resume = Some((star, next));
                p = star + 1;
                v = next;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, value: &str) -> bool {
        Glob::new(pattern, Case::Sensitive).is_match(value)
    }

    #[test]
    fn shapes_are_classified() {
        assert_eq!(Glob::new("*", Case::Sensitive).shape, Shape::Any);
        assert_eq!(
            Glob::new("s3:GetObject", Case::Sensitive).shape,
            Shape::Exact("s3:GetObject".into())
        );
        assert_eq!(
            Glob::new("s3:Get*", Case::AsciiInsensitive).shape,
            Shape::Prefix("s3:get".into())
        );
        assert_eq!(
            Glob::new("*Object", Case::Sensitive).shape,
            Shape::Suffix("Object".into())
        );
        assert!(matches!(
            Glob::new("a?c", Case::Sensitive).shape,
            Shape::General(_)
        ));
    }

    /// aws-facts h: `arn:aws:s3:::bucket/*` covers objects but not the bucket ARN itself.
    #[test]
    fn bucket_object_wildcard_does_not_cover_bucket_arn() {
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt"));
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/"));
        assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a"));
    }

    #[test]
    fn general_patterns_backtrack() {
        assert!(m(
            "arn:aws:s3:::b/*/test/*",
            "arn:aws:s3:::b/1/2/test/3/x.jpg"
        ));
        assert!(m("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b//test/"));
        assert!(!m("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/1-test/x"));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(!m("a*b*c", "aXbYbZ"));
        assert!(m("example?bucket", "example1bucket"));
        assert!(!m("example?bucket", "examplebucket"));
        assert!(m("**", ""));
        assert!(m("a**", "a"));
        assert!(!m("?", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn question_mark_consumes_one_character_not_one_byte() {
        assert!(m("caf?", "café"));
        assert!(m("?x", "\u{1F600}x"));
        assert!(!m("??x", "\u{1F600}x"));
        assert!(m("*\u{e9}", "caf\u{e9}"));
    }

    #[test]
    fn ascii_insensitive_matching_for_actions() {
        let g = Glob::new("S3:Get*Version*", Case::AsciiInsensitive);
        assert!(g.is_match("s3:GetObjectVersionForReplication"));
        assert!(g.is_match("S3:GETOBJECTVERSION"));
        assert!(!g.is_match("s3:PutObjectVersion"));
        let exact = Glob::new("kms:Decrypt", Case::AsciiInsensitive);
        assert!(exact.is_match("KMS:decrypt"));
        assert!(!Glob::new("kms:Decrypt", Case::Sensitive).is_match("kms:decrypt"));
    }

    #[test]
    fn pathological_patterns_stay_linear_enough() {
        let value = "a".repeat(5_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!m(&pattern, &value));
    }
}
