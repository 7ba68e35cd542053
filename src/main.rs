//! The `leakscope` binary: everything lives in the library's `cli` module.

fn main() {
    std::process::exit(leakscope::cli::run());
}
