//! A fixed number of threads working through a list: each takes the next item until none is
//! left, so one slow item (a probe waiting out its timeout) holds up one thread, not a share
//! of the list. Threads are spawned from the caller's thread, so they share its network
//! namespace.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, in the items' order, on at most `threads` threads.
pub fn map_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, items.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker thread"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::map_parallel;

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = map_parallel(&items, 4, |i| i * 2);
        assert_eq!(doubled, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        assert!(map_parallel(&[] as &[u32], 4, |i| *i).is_empty());
    }
}
