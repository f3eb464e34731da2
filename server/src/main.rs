use std::process::ExitCode;

fn main() -> ExitCode {
    xsguard::cli::main()
}
