//! Inline suppressions: `# aop-lint: ignore AOP201 -- reason`, on the line of the directive a
//! finding points at or on a line of its own just above it. The configuration readers keep
//! comments out of their syntax trees, so comments are found here in the files' bytes.

use aop_model::{Finding, Label, Suppressed};
use aop_rules::rules::unused_suppression::UnusedSuppression;
use aop_source::{FileId, SourceMap, Span};

const MARKER: &[u8] = b"aop-lint:";
const FORM: &str = "# aop-lint: ignore AOP201 -- why this is safe here";

/// One rule named by a suppression, with the span of its word in the comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub code: &'static str,
    pub span: Span,
}

/// A well-formed suppression and the lines whose findings it silences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub comment: Span,
    pub first_line: usize,
    pub last_line: usize,
    pub targets: Vec<Target>,
    pub reason: String,
}

/// A comment that starts like a suppression but cannot be read: it silences nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressionError {
    pub span: Span,
    pub message: String,
}

/// Where a `#` comment starts on a line, if it has one: at the start of a word and outside
/// quotes, as nginx reads it (`a#b` is one word).
fn comment_start(line: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut word_start = true;
    for (i, &b) in line.iter().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
            word_start = false;
            continue;
        }
        match b {
            b'#' if word_start => return Some(i),
            b'"' | b'\'' if word_start => quote = Some(b),
            b' ' | b'\t' | b'\r' | b';' | b'{' | b'}' => {
                word_start = true;
                continue;
            }
            _ => {}
        }
        word_start = false;
    }
    None
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Words of `text` (split at whitespace and commas) with their offsets.
fn words(text: &[u8]) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in text.iter().chain(std::iter::once(&b' ')).enumerate() {
        let sep = is_space(b) || b == b',';
        match (sep, start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// Every file of the tree is searched for the marker: a byte-by-byte window comparison was a
/// tenth of a large tree's run, `memmem` is a fraction of that.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Reads the suppression in `comment` (the bytes after `aop-lint:`, starting at `base` in the
/// file), covering `first_line..=last_line`.
fn parse(
    file: FileId,
    body: &[u8],
    base: usize,
    whole: Span,
    lines: (usize, usize),
) -> Result<Suppression, SuppressionError> {
    let err = |span: Span, message: String| SuppressionError { span, message };
    let at = |start: usize, len: usize| Span::new(file, base + start, base + start + len);
    let all = words(body);
    let Some(&(verb_at, verb)) = all.first() else {
        return Err(err(
            whole,
            format!("empty suppression: write it as `{FORM}`"),
        ));
    };
    if !verb.eq_ignore_ascii_case(b"ignore") {
        return Err(err(
            at(verb_at, verb.len()),
            format!(
                "`{}` is not a suppression: write it as `{FORM}`",
                String::from_utf8_lossy(verb)
            ),
        ));
    }
    let rest_at = verb_at + verb.len();
    let rest = &body[rest_at..];
    let (codes, reason) = match find(rest, b"--") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (rest, &b""[..]),
    };
    let reason = String::from_utf8_lossy(reason).trim().to_string();
    let mut targets = Vec::new();
    for (off, word) in words(codes) {
        let span = at(rest_at + off, word.len());
        let key = String::from_utf8_lossy(word);
        match aop_rules::find_rule(&key) {
            // Its findings come after the matching, so an inline one could never match.
            Some(rule) if rule.meta().code == UnusedSuppression::CODE.code => return Err(err(
                span,
                "AOP003 cannot be suppressed inline: ignore it in aop-lint.toml or with --ignore"
                    .to_string(),
            )),
            Some(rule) => targets.push(Target {
                code: rule.meta().code,
                span,
            }),
            None => {
                return Err(err(
                    span,
                    format!("unknown rule `{key}` in a suppression: `aop-lint rules` lists them"),
                ))
            }
        }
    }
    if targets.is_empty() {
        return Err(err(
            whole,
            format!("suppression names no rule: write it as `{FORM}`"),
        ));
    }
    if reason.is_empty() {
        return Err(err(
            whole,
            format!("suppression without a reason: say why after `--`, as in `{FORM}`"),
        ));
    }
    Ok(Suppression {
        comment: whole,
        first_line: lines.0,
        last_line: lines.1,
        targets,
        reason,
    })
}

/// Every suppression comment of one file, well-formed or not.
pub fn scan_file(map: &SourceMap, file: FileId) -> Vec<Result<Suppression, SuppressionError>> {
    let src = map.file(file);
    let bytes = &src.bytes;
    let mut out = Vec::new();
    // Most files hold no suppression: one pass over the bytes settles it.
    if find(bytes, MARKER).is_none() {
        return out;
    }
    for line_no in 1..=src.line_count() {
        let start = src.line_start(line_no).unwrap_or(bytes.len());
        let end = src.line_start(line_no + 1).unwrap_or(bytes.len());
        let line = &bytes[start..end];
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let after = &line[hash + 1..];
        let lead = after.iter().take_while(|&&b| is_space(b)).count();
        if !after[lead..].starts_with(MARKER) {
            continue;
        }
        let body_at = hash + 1 + lead + MARKER.len();
        let whole = Span::new(file, start + hash, start + line.len());
        // A comment alone on its line speaks of the line below; a trailing one of its own.
        let alone = line[..hash].iter().all(|&b| is_space(b));
        let lines = if alone {
            (line_no, line_no + 1)
        } else {
            (line_no, line_no)
        };
        out.push(parse(file, &line[body_at..], start + body_at, whole, lines));
    }
    out
}

fn unused(target: &Target) -> Finding {
    let rule = aop_rules::find_rule(target.code).map(|r| r.meta().name);
    Finding::new(
        UnusedSuppression::CODE,
        format!(
            "suppression of {} {} silences nothing: no such finding on this line or the next",
            target.code,
            rule.unwrap_or_default()
        ),
        Label::new(target.span, "nothing to suppress here"),
    )
    .with_help(
        "remove the suppression, or move it to the line of the directive the finding points at",
    )
}

fn malformed(e: SuppressionError) -> Finding {
    Finding::new(
        UnusedSuppression::CODE,
        e.message,
        Label::new(e.span, "this suppression silences nothing"),
    )
    .with_help(format!("write it as `{FORM}`"))
}

/// The findings left to report, and those a suppression silenced (with its reason).
#[derive(Clone, Debug, Default)]
pub struct Sifted {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// Sets aside the findings a suppression in `files` names on its lines, and reports every
/// suppression (and every rule named in one) that silenced nothing, and every malformed one.
pub fn apply_suppressions(findings: Vec<Finding>, map: &SourceMap, files: &[FileId]) -> Sifted {
    let mut suppressions = Vec::new();
    let mut extra = Vec::new();
    for &id in files {
        for s in scan_file(map, id) {
            match s {
                Ok(s) => suppressions.push(s),
                Err(e) => extra.push(malformed(e)),
            }
        }
    }
    if suppressions.is_empty() {
        let mut findings = findings;
        findings.extend(extra);
        return Sifted {
            findings,
            suppressed: Vec::new(),
        };
    }
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.targets.len()])
        .collect();
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for f in findings {
        let span = f.primary.span;
        let line = map.location(span).line;
        // The first suppression that names the rule speaks for it; each one that does is used.
        let mut silenced_by: Option<usize> = None;
        for (si, s) in suppressions.iter().enumerate() {
            if s.comment.file != span.file || line < s.first_line || line > s.last_line {
                continue;
            }
            for (ti, t) in s.targets.iter().enumerate() {
                if t.code == f.code {
                    used[si][ti] = true;
                    silenced_by.get_or_insert(si);
                }
            }
        }
        match silenced_by {
            Some(si) => suppressed.push(Suppressed {
                finding: f,
                reason: suppressions[si].reason.clone(),
                comment: suppressions[si].comment,
            }),
            None => kept.push(f),
        }
    }
    for (s, u) in suppressions.iter().zip(&used) {
        for (t, &was_used) in s.targets.iter().zip(u) {
            if !was_used {
                kept.push(unused(t));
            }
        }
    }
    kept.extend(extra);
    Sifted {
        findings: kept,
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::codes;

    fn map_of(text: &str) -> (SourceMap, FileId) {
        let mut map = SourceMap::default();
        let id = map.add("t.conf", text.as_bytes().to_vec());
        (map, id)
    }

    fn finding_at(map: &SourceMap, id: FileId, needle: &str, code: aop_model::RuleId) -> Finding {
        let text = String::from_utf8_lossy(&map.file(id).bytes).into_owned();
        let at = text.find(needle).expect("needle in text");
        Finding::new(
            code,
            "x",
            Label::new(Span::new(id, at, at + needle.len()), "x"),
        )
    }

    const AOP201: aop_model::RuleId = aop_model::RuleId {
        code: "AOP201",
        name: "default-server-missing",
        severity: aop_model::Severity::Error,
    };

    #[test]
    fn comment_starts_only_at_a_word_outside_quotes() {
        assert_eq!(comment_start(b"  # x"), Some(2));
        assert_eq!(comment_start(b"listen 443;# x"), Some(11));
        assert_eq!(comment_start(b"return 200 a#b;"), None);
        assert_eq!(comment_start(b"return 200 \"# not\"; # yes"), Some(20));
        assert_eq!(comment_start(b"x 'it\\'s # in';"), None);
    }

    #[test]
    fn a_comment_above_or_on_the_line_silences_that_finding() {
        let (map, id) = map_of(
            "server {\n    # aop-lint: ignore AOP201 -- catch-all lives upstream\n    listen 443 ssl;\n    listen 8443 ssl; # aop-lint: ignore default-server-missing -- test port\n}\n",
        );
        let a = finding_at(&map, id, "listen 443 ssl;", AOP201);
        let b = finding_at(&map, id, "listen 8443 ssl;", AOP201);
        let out = apply_suppressions(vec![a, b], &map, &[id]);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        let reasons: Vec<_> = out.suppressed.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons, vec!["catch-all lives upstream", "test port"]);
        assert_eq!(
            map.text(out.suppressed[1].comment),
            "# aop-lint: ignore default-server-missing -- test port"
        );
    }

    #[test]
    fn a_trailing_comment_does_not_reach_the_next_line() {
        let (map, id) =
            map_of("listen 80; # aop-lint: ignore AOP201 -- not this one\nlisten 443 ssl;\n");
        let f = finding_at(&map, id, "listen 443 ssl;", AOP201);
        let out = apply_suppressions(vec![f], &map, &[id]).findings;
        let codes: Vec<_> = out.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec!["AOP201", "AOP003"]);
    }

    #[test]
    fn only_the_named_rule_is_silenced_and_unused_names_are_reported() {
        let (map, id) = map_of("# aop-lint: ignore AOP201, AOP101 -- reason\nlisten 443 ssl;\n");
        let f201 = finding_at(&map, id, "listen", AOP201);
        let f001 = finding_at(&map, id, "listen", codes::PARSE_ERROR);
        let out = apply_suppressions(vec![f201, f001], &map, &[id]).findings;
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].code, "AOP001");
        assert_eq!(out[1].code, "AOP003");
        assert!(out[1].message.contains("AOP101"), "{}", out[1].message);
        // The unused finding points at the word `AOP101` in the comment.
        assert_eq!(map.text(out[1].primary.span), "AOP101");
    }

    #[test]
    fn malformed_suppressions_silence_nothing_and_are_reported() {
        for (text, says) in [
            (
                "# aop-lint: ignore AOP201\nlisten 443 ssl;\n",
                "without a reason",
            ),
            (
                "# aop-lint: ignore AOP201 --   \nlisten 443 ssl;\n",
                "without a reason",
            ),
            (
                "# aop-lint: ignore -- why\nlisten 443 ssl;\n",
                "names no rule",
            ),
            (
                "# aop-lint: ignore AOP999 -- why\nlisten 443 ssl;\n",
                "unknown rule `AOP999`",
            ),
            (
                "# aop-lint: disable AOP201 -- why\nlisten 443 ssl;\n",
                "`disable` is not",
            ),
            ("# aop-lint:\nlisten 443 ssl;\n", "empty suppression"),
            (
                "# aop-lint: ignore AOP201, unused-suppression -- why\nlisten 443 ssl;\n",
                "cannot be suppressed inline",
            ),
        ] {
            let (map, id) = map_of(text);
            let f = finding_at(&map, id, "listen", AOP201);
            let out = apply_suppressions(vec![f], &map, &[id]).findings;
            let codes: Vec<_> = out.iter().map(|f| f.code).collect();
            assert_eq!(codes, vec!["AOP201", "AOP003"], "{text}");
            assert!(out[1].message.contains(says), "{text}: {}", out[1].message);
        }
    }

    #[test]
    fn ordinary_comments_and_other_files_are_left_alone() {
        let (mut map, id) = map_of("# aop-lint checks this tree\nlisten 443 ssl;\n");
        let other = map.add(
            "u.conf",
            b"# aop-lint: ignore AOP201 -- elsewhere\n".to_vec(),
        );
        assert!(scan_file(&map, id).is_empty());
        let f = finding_at(&map, id, "listen", AOP201);
        let out = apply_suppressions(vec![f], &map, &[id, other]).findings;
        let codes: Vec<_> = out.iter().map(|f| f.code).collect();
        // The suppression in u.conf does not reach t.conf, and is itself unused.
        assert_eq!(codes, vec!["AOP201", "AOP003"]);
        assert_eq!(out[1].primary.span.file, other);
        // A file outside the tree being gated is not scanned at all.
        let f = finding_at(&map, id, "listen", AOP201);
        assert_eq!(apply_suppressions(vec![f], &map, &[id]).findings.len(), 1);
    }

    #[test]
    fn odd_bytes_do_not_panic() {
        for text in [
            "#aop-lint:",
            "# aop-lint: ignore",
            "# aop-lint: ignore --",
            "#\u{0}aop-lint: ignore \u{ff} -- \u{fe}",
            "\"unclosed # aop-lint: ignore AOP201 -- x",
        ] {
            let (map, id) = map_of(text);
            let _ = scan_file(&map, id);
        }
    }
}
