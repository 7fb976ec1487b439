fn main() {
    std::process::exit(aop_lint::main());
}
