//! The one place files are read on all cores: the readers hand a batch of included files to
//! [`in_parallel`] and splice the results in the batch's order, so the order every finding
//! comes in stays the sequential one.

use std::thread;

/// Threads a batch is spread over: the cores, at most 16 (reading beyond that waits on the
/// disk, not the processor).
pub fn workers() -> usize {
    thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16)
}

/// Runs `f` over `items` on up to [`workers`] threads, results in the order of `items`.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let chunk = items.len().div_ceil(workers()).max(1);
    if chunk >= items.len() {
        return items.iter().map(f).collect();
    }
    let f = &f;
    thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            // A worker only reads and splits, neither of which panics; should one, the
            // panic is carried to this thread as it would be without threads.
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let got = in_parallel(&items, |n| n * 2);
        assert_eq!(got, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_no_results() {
        let got: Vec<u8> = in_parallel(&[] as &[u8], |b| *b);
        assert!(got.is_empty());
    }
}
