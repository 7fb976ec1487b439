use aop_source::Span;
use compact_str::CompactString;

/// One word of a directive, unescaped as nginx unescapes it, with the span of its source text
/// (quotes included). Values are stored inline up to 24 bytes: nearly every word of a real
/// configuration fits, so reading a tree does not allocate once per word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub value: CompactString,
    pub span: Span,
    pub quoted: bool,
}

/// A directive and, when it opens one, its block. Included files are spliced in place of the
/// `include` directive, each directive keeping the span in its own file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub name: CompactString,
    pub name_span: Span,
    /// A boxed slice: arguments never change after parsing, and a vector's capacity field
    /// would be 8 bytes more in each of hundreds of thousands of directives.
    pub args: Box<[Arg]>,
    /// From the first character of the name to the `;` or `{`.
    pub span: Span,
    /// Boxed: most directives open no block, and a tree holds hundreds of thousands of them.
    pub block: Option<Box<Block>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    pub directives: Vec<Directive>,
    /// The closing `}` (an empty span at end of file when it is missing).
    pub close: Option<Span>,
    /// A `*_by_lua_block` body, kept as raw source.
    pub raw: Option<Span>,
}

impl Directive {
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    pub fn children(&self) -> &[Directive] {
        match &self.block {
            Some(b) => &b.directives,
            None => &[],
        }
    }

    /// The span of the directive with all its arguments (up to, not including, `;`/`{`).
    pub fn head_span(&self) -> Span {
        match self.args.last() {
            Some(a) => self.name_span.to(a.span),
            None => self.name_span,
        }
    }
}
