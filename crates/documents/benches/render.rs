//! Rendering throughput: documents per second for each kind (Kazakh, and bilingual where the
//! form is), in one thread. Run with `cargo bench -p documents`; it prints, it does not assert.

use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "../tests/it/fixtures.rs"]
#[allow(dead_code)] // the bench uses some of the test fixtures
mod fixtures;

use documents::{DocumentKind, Language, canonical_bytes, render};

fn main() {
    // A quick run when cargo runs benches as tests (`cargo test --benches` passes no --bench).
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = if quick { Duration::from_millis(50) } else { Duration::from_secs(2) };
    println!("{:<28} {:>6} {:>10} {:>10} {:>9}", "document", "lang", "docs/s", "ms/doc", "KiB");
    for kind in DocumentKind::ALL {
        for &language in documents::languages("2018", kind).unwrap() {
            if language == Language::Ru {
                continue; // as long as Kazakh; one single-language line per kind is enough
            }
            let view = fixtures::view(kind, language);
            let size = render(&view).unwrap().len();
            let start = Instant::now();
            let mut count = 0u32;
            while start.elapsed() < budget {
                black_box(render(black_box(&view)).unwrap());
                count += 1;
            }
            let seconds = start.elapsed().as_secs_f64();
            println!(
                "{:<28} {:>6} {:>10.1} {:>10.2} {:>9.1}",
                kind.id(),
                language.code(),
                f64::from(count) / seconds,
                seconds * 1000.0 / f64::from(count),
                size as f64 / 1024.0
            );
        }
    }
    let view = fixtures::view(DocumentKind::Invitation, Language::KkRu);
    let start = Instant::now();
    let mut count = 0u32;
    while start.elapsed() < budget {
        black_box(canonical_bytes(black_box(&view)).unwrap());
        count += 1;
    }
    println!("canonical bytes of an invitation: {:.0} per second", f64::from(count) / start.elapsed().as_secs_f64());
}
