// A tree of thousands of vhosts is hundreds of thousands of small allocations, freed together
// at the end; glibc's malloc spends a third of the run on them, mimalloc a fraction.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(aop_lint::main());
}
