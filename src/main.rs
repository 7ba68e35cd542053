//! The `leakscope` binary: everything lives in the library's `cli` module.

/// mimalloc: findings allocate small strings on many threads; it is faster
/// than the system allocator for that and returns large chunk buffers cheaply.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(leakscope::cli::run());
}
