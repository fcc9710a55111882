//! Helpers for the tests: the poppler and zbar command-line tools, and where renders go.

use std::path::{Path, PathBuf};
use std::process::Command;

use documents::{DocumentView, render};

/// Whether `tool` (from Debian package `package`) can run. Under CI a missing tool fails the
/// test with what to install; locally the test says it skipped and returns early.
pub fn have_tool(tool: &str, package: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if found {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("`{tool}` is not installed: the document tests need Debian package `{package}` (apt-get install -y {package})");
    }
    eprintln!("SKIPPED: `{tool}` is not installed; install Debian package `{package}` to run this test");
    false
}

/// `target/document-renders/` of the build's target directory, created on first use.
pub fn renders_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("document-renders");
    std::fs::create_dir_all(&dir).expect("create target/document-renders");
    dir
}

/// Renders `view` and writes it to `document-renders/<name>.pdf`.
pub fn write_pdf(view: &DocumentView, name: &str) -> PathBuf {
    let bytes = render(view).unwrap_or_else(|e| panic!("rendering {name}: {e}"));
    let path = renders_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write the PDF");
    path
}

pub fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("running {tool}: {e}"));
    assert!(output.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("tool output is UTF-8")
}

/// The PDF's text as pdftotext reads it, with every run of whitespace made one space.
pub fn pdf_text(pdf: &Path) -> String {
    let raw = run("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn page_count(pdf: &Path) -> usize {
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines().find_map(|line| line.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("pdfinfo reports the page count")
}

/// Renders every page of `pdf` to `<stem>-<page>.png` at `dpi` and returns the files.
pub fn pdf_to_png(pdf: &Path, dpi: u32) -> Vec<PathBuf> {
    let prefix = pdf.with_extension("");
    let prefix = format!("{}-{dpi}dpi", prefix.display());
    let dir = pdf.parent().unwrap();
    let stem = Path::new(&prefix).file_name().unwrap().to_str().unwrap().to_owned();
    let pages_of = |dir: &Path| -> Vec<PathBuf> {
        let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                let name = path.file_name().unwrap().to_str().unwrap();
                name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
            })
            .collect();
        pages.sort();
        pages
    };
    // Pages of an earlier, longer render would otherwise linger among the new ones.
    for stale in pages_of(dir) {
        std::fs::remove_file(stale).unwrap();
    }
    run("pdftoppm", &["-png", "-r", &dpi.to_string(), pdf.to_str().unwrap(), &prefix]);
    pages_of(dir)
}
