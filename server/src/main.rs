use std::process::ExitCode;

// Checking and re-checking on every keystroke allocates many small, short-lived values (names,
// sets of variables, model nodes); mimalloc serves them faster than the system allocator and
// without its consolidation pauses. The benchmarks use it too (benches/lsp.rs, benches/check.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    xsguard::cli::main()
}
