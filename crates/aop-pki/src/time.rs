//! UTC timestamps as RFC 3339 text, both ways, with the `time` crate (x509-parser's own
//! calendar): expiry dates are printed in messages and `--now` is given on the command line.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// `2029-11-01T17:00:00Z`. An instant outside the years 0000 to 9999 (no certificate has one)
/// is given as its Unix time.
pub fn format_rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("Unix time {unix}"))
}

/// `2029-11-01`: the day, for messages.
pub fn format_date(unix: i64) -> String {
    let text = format_rfc3339(unix);
    match text.split_once('T') {
        Some((day, _)) => day.to_string(),
        None => text,
    }
}

/// Parses `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00+02:00` or a bare `2026-01-01`
/// (midnight UTC). Fractional seconds are accepted and dropped.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let day = Date::parse(
        text,
        format_description!("[year repr:full base:calendar]-[month]-[day]"),
    )
    .ok()?;
    Some(day.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_round_trip() {
        // Cloudflare's 2019 origin-pull CA expires at this instant (from its notAfter).
        let t = 1_888_246_800;
        assert_eq!(format_rfc3339(t), "2029-11-01T17:00:00Z");
        assert_eq!(parse_rfc3339("2029-11-01T17:00:00Z"), Some(t));
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(parse_rfc3339("2000-02-29"), Some(951_782_400));
    }

    #[test]
    fn offsets_and_fractions() {
        assert_eq!(
            parse_rfc3339("2026-01-01T02:00:00.123+02:00"),
            parse_rfc3339("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_rfc3339("2025-12-31T19:00:00-05:00"),
            parse_rfc3339("2026-01-01")
        );
    }

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2026-02-30",
            "2026-01-01T25:00:00Z",
            "2026-01-01T00:00:00",
            "yesterday",
            "2026-01-01T00:00:00+0200",
            "２０２６-01-01",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
