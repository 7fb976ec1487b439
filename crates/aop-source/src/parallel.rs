//! The one place included files are read on the cores: the readers hand the files of an
//! include to [`in_parallel`] or [`ahead_in_order`] and splice the results in the files'
//! order, so the order every finding comes in stays the sequential one.

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
    in_parallel_on(workers(), items, f)
}

/// [`in_parallel`] on up to `threads` threads.
fn in_parallel_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
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

/// Hands each of `items` to `take` in order, with what `prepare` made of it on other threads:
/// each batch of `batch` items is prepared on the other cores while `take` works through the
/// batch before it, so reading and splicing overlap. `take` returns whether to go on. With one item or
/// one core nothing is prepared and `take` gets `None`, as it does for an item whose batch
/// was not needed.
pub fn ahead_in_order<T: Sync, R: Send>(
    items: &[T],
    batch: usize,
    prepare: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(&T, Option<R>) -> bool,
) {
    if items.len() < 2 || workers() < 2 {
        for item in items {
            if !take(item, None) {
                return;
            }
        }
        return;
    }
    let prepare = &prepare;
    // The calling thread takes one core: the next batch is prepared on the others.
    let threads = workers() - 1;
    thread::scope(|s| {
        let mut batches = items.chunks(batch.max(1)).map(|part| {
            (
                part,
                s.spawn(move || in_parallel_on(threads, part, prepare)),
            )
        });
        // The next batch is started before this one is taken: the iterator spawns lazily.
        let mut next = batches.next();
        while let Some((part, worker)) = next {
            let ready = worker
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            next = batches.next();
            for (item, r) in part.iter().zip(ready) {
                if !take(item, Some(r)) {
                    return;
                }
            }
        }
    });
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

    /// The items `ahead_in_order` hands over, of `0..n` in batches of `batch`, when taking
    /// stops after `last`; each result is checked against its item.
    fn taken(n: usize, batch: usize, last: usize) -> Vec<usize> {
        let items: Vec<usize> = (0..n).collect();
        let mut seen = Vec::new();
        let check = |item: &usize, r: Option<usize>| {
            assert!(r.is_none_or(|r| r == item * 3));
            seen.push(*item);
            *item < last
        };
        ahead_in_order(&items, batch, |item| item * 3, check);
        seen
    }

    #[test]
    fn items_are_taken_in_order_each_with_its_own_result() {
        assert_eq!(taken(1000, 7, usize::MAX), (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn taking_stops_when_asked() {
        assert_eq!(taken(100, 8, 20), (0..=20).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_no_results() {
        let got: Vec<u8> = in_parallel(&[] as &[u8], |b| *b);
        assert!(got.is_empty());
    }
}
