//! The variable a misspelt name was most likely meant to be, for the fix in the help.

/// Edits (insert, delete, substitute, swap two neighbours) between `a` and `b`.
fn distance(a: &[u8], b: &[u8]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// Longer names are not typed by hand: no suggestion, and no quadratic comparison.
const MAX_LEN: usize = 48;

/// The closest of `candidates` to `name`, when it is close enough to be a slip of the keys:
/// one edit for a short name, two for a longer one. Ties go to the first in byte order.
pub fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > MAX_LEN {
        return None;
    }
    let most = if name.len() < 6 { 1 } else { 2 };
    candidates
        .filter(|c| c.len().abs_diff(name.len()) <= most)
        .map(|c| (distance(name.as_bytes(), c.as_bytes()), c))
        .filter(|&(d, _)| d <= most)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn slips_of_the_keys_find_the_name_meant() {
        let names = ["request_uri", "remote_addr", "host", "connection_upgrade"];
        assert_eq!(
            nearest("reqeust_uri", names.into_iter()),
            Some("request_uri")
        );
        assert_eq!(
            nearest("remote_adr", names.into_iter()),
            Some("remote_addr")
        );
        assert_eq!(nearest("hots", names.into_iter()), Some("host"));
        assert_eq!(nearest("tenant", names.into_iter()), None);
        assert_eq!(
            nearest("connection_upgrade_x", names.into_iter()),
            Some("connection_upgrade")
        );
    }
}
