//! UTC timestamps as RFC 3339 text, both ways, without a calendar dependency: expiry dates are
//! printed in messages and `--now` is given on the command line.

const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2029-11-01T17:00:00Z`.
pub fn format_rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(SECONDS_PER_DAY);
    let secs = unix.rem_euclid(SECONDS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `2029-11-01`: the day, for messages.
pub fn format_date(unix: i64) -> String {
    format_rfc3339(unix)[..10].to_string()
}

/// Parses `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00+02:00` or a bare `2026-01-01`
/// (midnight UTC). Fractional seconds are accepted and dropped.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year: i64 = digits(parts.next()?, 4)?;
    let month: u32 = digits(parts.next()?, 2)? as u32;
    let day: u32 = digits(parts.next()?, 2)? as u32;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut unix = days_from_civil(year, month, day) * SECONDS_PER_DAY;
    let Some(rest) = rest else {
        return Some(unix);
    };
    let offset_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, zone) = rest.split_at(offset_at);
    let clock = clock.split('.').next()?;
    let mut hms = clock.splitn(3, ':');
    let h = digits(hms.next()?, 2)?;
    let m = digits(hms.next()?, 2)?;
    let s = digits(hms.next()?, 2)?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    unix += h * 3600 + m * 60 + s;
    match zone {
        "Z" | "z" => Some(unix),
        _ => {
            let sign = if zone.starts_with('-') { 1 } else { -1 };
            let (oh, om) = zone[1..].split_once(':')?;
            let offset = digits(oh, 2)? * 3600 + digits(om, 2)? * 60;
            Some(unix + sign * offset)
        }
    }
}

fn digits(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
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
