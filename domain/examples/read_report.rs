//! Prints what readyboard reads from a report file: `cargo run -p readyboard-domain
//! --example read_report -- FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read_report FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    match readyboard_domain::ingest::parse(&bytes, None) {
        Ok(r) => {
            print!("{}", readyboard_domain::ingest::markdown::reading::render(&r));
            for n in &r.notes {
                println!("note | {n}");
            }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
