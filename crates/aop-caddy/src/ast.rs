//! A Caddyfile after snippets, imports and environment placeholders are expanded.

use aop_source::Span;

use crate::lexer::Token;

/// One directive: its name, the arguments on its line, and the block that follows them.
#[derive(Clone, Debug)]
pub struct Directive {
    pub name: Token,
    pub args: Vec<Token>,
    pub block: Option<Vec<Directive>>,
}

impl Directive {
    /// The name and its arguments (the block left out).
    pub fn span(&self) -> Span {
        self.args
            .last()
            .map_or(self.name.span, |a| self.name.span.to(a.span))
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|t| t.text.as_str())
    }

    pub fn children(&self) -> &[Directive] {
        self.block.as_deref().unwrap_or(&[])
    }

    pub fn is(&self, name: &str) -> bool {
        !self.name.quoted && self.name.text == name
    }
}

/// A site block: its addresses and what it holds.
#[derive(Clone, Debug)]
pub struct Site {
    pub addresses: Vec<Token>,
    pub body: Vec<Directive>,
}

#[derive(Clone, Debug, Default)]
pub struct Caddyfile {
    /// The global options block, when the file opens with one.
    pub global: Vec<Directive>,
    pub sites: Vec<Site>,
}
