//! The `stackcraft` command: the built-in blueprints, configured by `./stackcraft.toml`.

fn main() -> std::process::ExitCode {
    stackcraft::App::from_config(stackcraft::config::FILE_NAME).run()
}
