//! A refused tree made to start the way its `SOURCE` did for the check: the line the
//! server's configuration test (`nginx -t`, `apache2 -t`, `caddy validate`) names is
//! commented out (or, for an Apache directive that got a trailing `# comment` as extra
//! arguments, the comment is cut off), again and again until the test passes. Only lines
//! that open or close no block are touched.

use std::fs;
use std::path::Path;

use regex::Regex;

use super::namespace::{check, Launch};
use super::prepare::inside;
use super::trees::Spec;

/// Edits at most this many lines (the InterWorx tree needs about fifty).
const MAX_EDITS: usize = 80;

/// The edits made, once the server accepts the copy; an error when a refusal names no line
/// or a line that cannot go.
pub fn until_accepted(root: &Path, launch: &Launch, spec: &Spec) -> Result<Vec<String>, String> {
    let hostname = spec.hostname;
    let mut edits = Vec::new();
    for (file, after, text) in spec.check_additions {
        edits.push(add_line(root, file, after, text)?);
    }
    for _ in 0..MAX_EDITS {
        let (ok, output) = check(root, launch, hostname);
        if ok {
            return Ok(edits);
        }
        let (file, line) = location(&output)
            .ok_or_else(|| format!("the refusal names no line: {}", last_line(&output)))?;
        edits.push(edit_line(root, &file, line)?);
    }
    Err(format!("still refused after {MAX_EDITS} edits"))
}

fn add_line(root: &Path, file: &str, after: &str, text: &str) -> Result<String, String> {
    let path = inside(root, file);
    let old = fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
    let mut lines: Vec<&str> = old.lines().collect();
    let at = if after.is_empty() {
        0
    } else {
        1 + lines
            .iter()
            .position(|l| l.contains(after))
            .ok_or_else(|| format!("{file}: no line contains `{after}`"))?
    };
    lines.insert(at, text);
    fs::write(&path, lines.join("\n") + "\n").map_err(|e| format!("{file}: {e}"))?;
    Ok(format!("{file}:{}: added `{text}`", at + 1))
}

fn last_line(output: &str) -> String {
    output
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

/// The innermost `line N of FILE` (Apache, nested for includes), `, at FILE:N` (Caddy's
/// adapter) or `in FILE:N` (nginx).
fn location(output: &str) -> Option<(String, usize)> {
    let apache = Regex::new(r"line (\d+) of ([^:\s]+):").expect("pattern");
    if let Some(c) = apache.captures_iter(output).last() {
        return Some((c[2].to_string(), c[1].parse().ok()?));
    }
    let caddy = Regex::new(r", at (/[^:\s]+):(\d+)").expect("pattern");
    if let Some(c) = caddy.captures_iter(output).last() {
        return Some((c[1].to_string(), c[2].parse().ok()?));
    }
    let nginx = Regex::new(r"\[emerg\].* in (/[^:\s]+):(\d+)").expect("pattern");
    let c = nginx.captures_iter(output).last()?;
    Some((c[1].to_string(), c[2].parse().ok()?))
}

fn edit_line(root: &Path, file: &str, line: usize) -> Result<String, String> {
    let path = inside(root, file);
    let text = fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let target = lines
        .get_mut(line.wrapping_sub(1))
        .ok_or_else(|| format!("{file}:{line}: no such line"))?;
    let trimmed = target.trim_start();
    if trimmed.starts_with('<') || target.contains('{') || target.contains('}') {
        return Err(format!(
            "{file}:{line} opens or closes a block: `{}`",
            target.trim()
        ));
    }
    let edit = match target.split_once(" #") {
        Some((directive, _)) if !trimmed.starts_with('#') => {
            let edit = format!("{file}:{line}: trailing comment cut: `{}`", target.trim());
            *target = directive.to_string();
            edit
        }
        _ => {
            let edit = format!("{file}:{line}: commented out: `{}`", target.trim());
            *target = format!("#{target}");
            edit
        }
    };
    // A symlinked file becomes a file of its own: the copy is the tree's, not the link's.
    let _ = fs::remove_file(&path);
    fs::write(&path, lines.join("\n") + "\n").map_err(|e| format!("{file}: {e}"))?;
    Ok(edit)
}
