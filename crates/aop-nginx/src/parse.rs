//! One file's tokens into directives and blocks, with nginx's syntax errors. Includes are
//! not followed here (see `include.rs`): this module knows only one file.

use aop_source::{FileId, Span};

use crate::ast::{Arg, Block, Directive};
use crate::errors::{ConfError, Expecting};
use crate::lexer::{LexError, Lexer, Token};

/// A syntax error: the offending token, what nginx says, and where the unclosed block began
/// when that is the cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub error: Box<ConfError>,
    pub opened_at: Option<Span>,
}

/// What a file parsed to: everything up to the first error (nginx stops there too).
#[derive(Default)]
pub struct Parsed {
    pub directives: Vec<Directive>,
    pub error: Option<SyntaxError>,
}

struct Open {
    directive: Directive,
    children: Vec<Directive>,
}

pub fn parse(src: &[u8], file: FileId, max_nesting: usize) -> Parsed {
    let mut lx = Lexer::new(src);
    let mut stack: Vec<Open> = Vec::new();
    let mut top: Vec<Directive> = Vec::new();
    let mut words: Vec<Arg> = Vec::new();
    let span = |s: usize, e: usize| Span::new(file, s, e);

    // nginx has no notion of a byte-order mark: it is the start of the first word, which
    // then names no directive, and nginx refuses the file.
    if src.starts_with(b"\xEF\xBB\xBF") {
        if let Ok(Token::Word { start, end, .. }) = lx.next_token() {
            return Parsed {
                directives: Vec::new(),
                error: Some(SyntaxError {
                    span: span(start, end),
                    error: Box::new(ConfError::ByteOrderMark {
                        name: String::from_utf8_lossy(&src[start..end]).into_owned(),
                    }),
                    opened_at: None,
                }),
            };
        }
    }
    let error = loop {
        let tok = match lx.next_token() {
            Ok(t) => t,
            Err(LexError { start, end, error }) => {
                break Some(SyntaxError {
                    span: span(start, end),
                    error,
                    opened_at: None,
                })
            }
        };
        match tok {
            Token::Word {
                start,
                end,
                value,
                quoted,
            } => words.push(Arg {
                value,
                span: span(start, end),
                quoted,
            }),
            Token::Semicolon(at) | Token::Open(at) if words.is_empty() => {
                let ch = if matches!(tok, Token::Semicolon(_)) {
                    ";"
                } else {
                    "{"
                };
                break Some(SyntaxError {
                    span: span(at, at + 1),
                    error: Box::new(ConfError::UnexpectedToken { token: ch.into() }),
                    opened_at: None,
                });
            }
            Token::Semicolon(at) => {
                let d = directive(&mut words, span(at, at + 1));
                push(&mut stack, &mut top, d);
            }
            Token::Open(at) => {
                let is_lua = words[0].value.ends_with("_by_lua_block");
                let mut d = directive(&mut words, span(at, at + 1));
                if is_lua {
                    match lx.lua_body() {
                        Ok(close) => {
                            d.block = Some(Box::new(Block {
                                directives: Vec::new(),
                                close: Some(span(close, close + 1)),
                                raw: Some(span(at + 1, close)),
                            }));
                            push(&mut stack, &mut top, d);
                            continue;
                        }
                        Err(e) => {
                            break Some(SyntaxError {
                                span: span(e.start, e.end),
                                error: e.error,
                                opened_at: Some(d.span),
                            })
                        }
                    }
                }
                if stack.len() >= max_nesting {
                    break Some(SyntaxError {
                        span: d.span,
                        error: Box::new(ConfError::NestedTooDeep { limit: max_nesting }),
                        opened_at: None,
                    });
                }
                stack.push(Open {
                    directive: d,
                    children: Vec::new(),
                });
            }
            Token::Close(at) => {
                if !words.is_empty() || stack.is_empty() {
                    break Some(SyntaxError {
                        span: span(at, at + 1),
                        error: Box::new(ConfError::UnexpectedToken { token: "}".into() }),
                        opened_at: None,
                    });
                }
                let open = stack.pop().expect("checked non-empty");
                let mut d = open.directive;
                let mut children = open.children;
                // Growth by doubling leaves up to half of each vector unused; at close the
                // final size is known.
                children.shrink_to_fit();
                d.block = Some(Box::new(Block {
                    directives: children,
                    close: Some(span(at, at + 1)),
                    raw: None,
                }));
                push(&mut stack, &mut top, d);
            }
            Token::Eof(at) => {
                if !words.is_empty() {
                    break Some(SyntaxError {
                        span: span(at, at),
                        error: Box::new(ConfError::UnexpectedEof {
                            expecting: Expecting::DirectiveEnd,
                        }),
                        opened_at: Some(words[0].span),
                    });
                }
                if let Some(open) = stack.last() {
                    break Some(SyntaxError {
                        span: span(at, at),
                        error: Box::new(ConfError::UnexpectedEof {
                            expecting: Expecting::BlockEnd,
                        }),
                        opened_at: Some(open.directive.span),
                    });
                }
                break None;
            }
        }
    };

    // Keep what was read before the error, closing open blocks where they stand, so the rest
    // of the tree can still be reported on.
    while let Some(open) = stack.pop() {
        let mut d = open.directive;
        d.block = Some(Box::new(Block {
            directives: open.children,
            close: None,
            raw: None,
        }));
        push(&mut stack, &mut top, d);
    }
    Parsed {
        directives: top,
        error,
    }
}

/// Builds a directive from the words read so far, leaving the buffer empty for the next one:
/// the arguments get a vector of exactly their size, and the buffer is reused.
fn directive(words: &mut Vec<Arg>, end: Span) -> Directive {
    let mut drain = words.drain(..);
    let name = drain.next().expect("callers check for a word");
    let args: Box<[Arg]> = drain.collect();
    Directive {
        span: name.span.to(end),
        name: name.value,
        name_span: name.span,
        args,
        block: None,
    }
}

fn push(stack: &mut [Open], top: &mut Vec<Directive>, d: Directive) {
    match stack.last_mut() {
        Some(open) => open.children.push(d),
        None => top.push(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Parsed {
        parse(src.as_bytes(), FileId(0), 200)
    }

    #[test]
    fn nested_blocks_and_spans() {
        let r = p("http {\n  server { listen 443 ssl; }\n}\n");
        assert!(r.error.is_none());
        let http = &r.directives[0];
        assert_eq!(http.name, "http");
        let server = &http.children()[0];
        let listen = &server.children()[0];
        assert_eq!(listen.name, "listen");
        assert_eq!(listen.arg(0), Some("443"));
        assert_eq!(listen.arg(1), Some("ssl"));
        assert_eq!(listen.span.range(), 18..33);
    }

    #[test]
    fn missing_semicolon_reports_the_closing_brace() {
        let r = p("http {\n  server { listen 443 }\n}\n");
        let e = r.error.unwrap();
        assert_eq!(e.error.to_string(), "unexpected \"}\"");
        assert_eq!(e.span.range(), 29..30);
    }

    #[test]
    fn unclosed_block_points_at_end_of_file_and_opener() {
        let r = p("http {\n  server {\n");
        let e = r.error.unwrap();
        assert_eq!(
            e.error.to_string(),
            "unexpected end of file, expecting \"}\""
        );
        assert_eq!(e.opened_at.unwrap().range(), 9..17);
        // What was read is kept.
        assert_eq!(r.directives[0].children()[0].name, "server");
    }

    #[test]
    fn stray_closing_brace_and_empty_directive() {
        assert_eq!(p("}").error.unwrap().error.to_string(), "unexpected \"}\"");
        assert_eq!(
            p("a; ;").error.unwrap().error.to_string(),
            "unexpected \";\""
        );
        assert_eq!(p("{").error.unwrap().error.to_string(), "unexpected \"{\"");
    }

    #[test]
    fn lua_block_body_is_raw() {
        let r = p("content_by_lua_block { ngx.say(\"}\") }\nserver_name content_by_lua_block;");
        assert!(r.error.is_none(), "{:?}", r.error);
        assert!(r.directives[0].block.as_ref().unwrap().raw.is_some());
        assert_eq!(r.directives[1].arg(0), Some("content_by_lua_block"));
    }

    #[test]
    fn nesting_limit_is_an_error_not_a_crash() {
        let src = "a {".repeat(5000);
        let r = parse(src.as_bytes(), FileId(0), 200);
        assert!(r.error.unwrap().error.to_string().contains("nested deeper"));
    }

    /// nginx 1.22 on such a file: `unknown directive "\u{feff}events"`. Before an `http`
    /// block the mark would otherwise drop the block and every server in it.
    #[test]
    fn a_byte_order_mark_is_the_start_of_an_unknown_directive() {
        let r = parse(b"\xEF\xBB\xBFhttp { server {} }", FileId(0), 200);
        let e = r.error.expect("refused");
        assert!(
            e.error
                .to_string()
                .starts_with("unknown directive \"\u{feff}http\""),
            "{}",
            e.error.to_string()
        );
        assert_eq!(e.span.range(), 0..7);
    }
}
