//! Reads a template (JSON or YAML) from standard input and writes it back as YAML, or as JSON
//! with `--json`: the quickest way to see how stackcraft writes a template.

use std::io::Read;

fn main() {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("read stdin");
    match stackcraft_template::parse_template(&text) {
        Ok(t) if std::env::args().any(|a| a == "--json") => print!("{}", t.to_json()),
        Ok(t) => print!("{}", t.to_yaml()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
