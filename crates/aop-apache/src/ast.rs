//! The tree httpd would build: conditionals already evaluated, includes and macros already
//! expanded in place, every node with the span of the text that produced it.

use aop_source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase, without `<` for sections: httpd matches names case-insensitively.
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Arg>,
    /// The directive's line, or a section's opener line.
    pub span: Span,
    pub section: Option<Section>,
    /// The `Use` line this directive was expanded from, when it came from a `<Macro>`.
    pub via: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Section {
    pub children: Vec<Directive>,
    /// The closing tag, absent when the file ended first.
    pub close: Option<Span>,
}

impl Directive {
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    pub fn children(&self) -> &[Directive] {
        self.section.as_ref().map_or(&[], |s| &s.children)
    }

    /// The opener as written, for messages: `<VirtualHost *:443>`.
    pub fn opener(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|a| a.value.as_str()).collect();
        if args.is_empty() {
            format!("<{}>", self.name)
        } else {
            format!("<{} {}>", self.name, args.join(" "))
        }
    }
}
