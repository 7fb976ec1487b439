//! The one merge every reader applies to a server-level setting: the server's own value
//! replaces the one of the context it inherits from (nginx `http {}`, httpd's main server),
//! and the result keeps the span of the directive that decided it.

use aop_source::Span;

use crate::{Origin, Setting};

impl<T> Setting<T> {
    /// The value in force: `own` when the server writes one, else `inherited`; `None` when
    /// neither context writes it (the server's default applies).
    pub fn own_or_inherited(own: Option<(T, Span)>, inherited: Option<(T, Span)>) -> Option<Self> {
        match (own, inherited) {
            (Some((value, span)), _) => Some(Setting {
                value,
                origin: Origin::Own(span),
            }),
            (None, Some((value, span))) => Some(Setting {
                value,
                origin: Origin::Inherited(span),
            }),
            (None, None) => None,
        }
    }
}

impl Origin {
    /// Whether the value came from the enclosing context rather than the server itself.
    pub fn is_inherited(self) -> bool {
        matches!(self, Origin::Inherited(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_source::FileId;

    fn at(n: usize) -> Span {
        Span::new(FileId(0), n, n + 1)
    }

    #[test]
    fn own_replaces_inherited() {
        let s = Setting::own_or_inherited(Some(("own", at(10))), Some(("http", at(0)))).unwrap();
        assert_eq!(s.value, "own");
        assert_eq!(s.origin, Origin::Own(at(10)));
        assert!(!s.origin.is_inherited());
    }

    #[test]
    fn inherited_when_the_server_writes_none() {
        let s = Setting::own_or_inherited(None, Some((false, at(3)))).unwrap();
        assert!(!s.value);
        assert_eq!(s.origin, Origin::Inherited(at(3)));
        assert!(s.origin.is_inherited());
    }

    #[test]
    fn nothing_when_neither_writes_it() {
        assert_eq!(Setting::<bool>::own_or_inherited(None, None), None);
        assert!(!Origin::Default.is_inherited());
    }
}
