//! mod_macro done ahead of httpd: `<Macro>` definitions are taken out and every `Use` is
//! replaced by the body with its parameters substituted, so the rewriter sees (and rewrites)
//! the virtual hosts httpd would build. The expansion is textual, as mod_macro's is.

use std::collections::BTreeMap;

#[derive(Default)]
pub struct Macros {
    defined: BTreeMap<String, (Vec<String>, String)>,
}

impl Macros {
    /// `src` with this file's definitions recorded and removed and its `Use` lines expanded
    /// (macros defined in earlier files included); `None` when there is nothing to do.
    pub fn expand(&mut self, src: &str) -> Option<String> {
        self.expand_nested(src, 0)
    }

    /// A macro's expansion is read as a file of its own: the `<Macro>`s it defines and the
    /// `Use`s it holds act in turn (to a bounded depth; httpd refuses recursion).
    fn expand_nested(&mut self, src: &str, depth: usize) -> Option<String> {
        let mut out = String::new();
        let mut changed = false;
        let mut lines = src.split_inclusive('\n');
        while let Some(line) = lines.next() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let first = words
                .first()
                .map(|w| w.to_ascii_lowercase())
                .unwrap_or_default();
            if first == "<macro" && words.len() >= 2 {
                changed = true;
                let name = words[1].trim_end_matches('>').to_ascii_lowercase();
                let params = words[2..]
                    .iter()
                    .map(|p| p.trim_end_matches('>').to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                // A `<Macro` inside is part of the body, as mod_macro counts them.
                let mut body = String::new();
                let mut open = 1;
                for inner in lines.by_ref() {
                    let first = inner.split_whitespace().next().unwrap_or("");
                    if first.eq_ignore_ascii_case("</macro>") {
                        open -= 1;
                        if open == 0 {
                            break;
                        }
                    } else if first.eq_ignore_ascii_case("<macro") {
                        open += 1;
                    }
                    body.push_str(inner);
                }
                self.defined.insert(name, (params, body));
                out.push_str("# (real-server harness) macro definition expanded at its uses\n");
            } else if first == "use" && words.len() >= 2 {
                let name = words[1].to_ascii_lowercase();
                let Some((params, body)) = self.defined.get(&name) else {
                    out.push_str(line);
                    continue;
                };
                changed = true;
                let values: Vec<String> = words[2..]
                    .iter()
                    .map(|v| v.trim_matches('"').to_string())
                    .collect();
                // Longest parameter first, so `$name` does not eat into `$name_long`.
                let mut order: Vec<usize> = (0..params.len()).collect();
                order.sort_by_key(|&i| std::cmp::Reverse(params[i].len()));
                let mut text = body.clone();
                for i in order {
                    let value = values.get(i).cloned().unwrap_or_default();
                    text = text.replace(&params[i], &value);
                }
                if depth < 16 {
                    text = self.expand_nested(&text, depth + 1).unwrap_or(text);
                }
                out.push_str(&text);
            } else if first == "undefmacro" && words.len() >= 2 {
                changed = true;
                self.defined.remove(&words[1].to_ascii_lowercase());
                out.push_str("# (real-server harness) UndefMacro\n");
            } else {
                out.push_str(line);
            }
        }
        changed.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::Macros;

    #[test]
    fn uses_expand_with_their_values() {
        let mut m = Macros::default();
        let src = "<Macro Site $name $port>\n<VirtualHost *:$port>\nServerName $name\n</VirtualHost>\n</Macro>\nUse Site a.test 443\nUndefMacro Site\nUse Site b.test 443\n";
        let out = m.expand(src).unwrap();
        assert!(out.contains("<VirtualHost *:443>\nServerName a.test\n"));
        assert!(!out.contains("b.test\n</VirtualHost>"), "{out}");
        assert!(out.contains("Use Site b.test 443"));
    }

    #[test]
    fn a_macro_defined_inside_another_exists_once_the_outer_is_used() {
        let mut m = Macros::default();
        let src = "<Macro Outer $s>\n<Macro Inner_$s $n>\nServerName $n.$s\n</Macro>\nUse Inner_$s www\n</Macro>\nUse Inner_x a\nUse Outer shop\nUse Inner_shop blog\n";
        let out = m.expand(src).unwrap();
        assert!(out.contains("Use Inner_x a\n"), "{out}");
        assert!(out.contains("ServerName www.shop\n"), "{out}");
        assert!(out.contains("ServerName blog.shop\n"), "{out}");
        assert!(!out.contains("</Macro>"), "{out}");
    }
}
