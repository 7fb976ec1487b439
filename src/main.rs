// A tree of thousands of vhosts is hundreds of thousands of small allocations, freed together
// at the end; glibc's malloc spends a third of the run on them, mimalloc a fraction.
// Heap profilers (heaptrack, valgrind's massif and dhat) see only malloc: a build made with
// `RUSTFLAGS="--cfg aop_system_alloc"` leaves mimalloc out for them (docs/performance.md).
#[cfg(not(aop_system_alloc))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(aop_lint::main());
}
