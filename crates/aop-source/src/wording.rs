//! Message templates kept as data: a reader's errors say what the server says by filling the
//! server's own wording, whose `{}` holes take the error's values in order.

use std::fmt;

/// Writes `template` with each `{}` replaced by the next of `values` (nothing once they run
/// out).
pub fn fill(f: &mut fmt::Formatter<'_>, template: &str, values: &[&str]) -> fmt::Result {
    let mut values = values.iter();
    let mut pieces = template.split("{}");
    f.write_str(pieces.next().unwrap_or_default())?;
    for piece in pieces {
        f.write_str(values.next().copied().unwrap_or_default())?;
        f.write_str(piece)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Filled(&'static str, &'static [&'static str]);

    impl fmt::Display for Filled {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fill(f, self.0, self.1)
        }
    }

    #[test]
    fn holes_take_the_values_in_order() {
        assert_eq!(
            Filled("Expected </{}> but saw </{}>", &["A", "b"]).to_string(),
            "Expected </A> but saw </b>"
        );
        assert_eq!(Filled("{} and {}", &["x"]).to_string(), "x and ");
        assert_eq!(Filled("no holes", &["x"]).to_string(), "no holes");
    }
}
