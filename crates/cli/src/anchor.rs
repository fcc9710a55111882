//! The anchor file (issue 8): each audit checkpoint the serve process writes is also appended,
//! one line each, to a file meant to live outside the database's reach (another disk, a
//! write-once share, a directory another host collects). `shaqyru audit verify --anchors FILE`
//! then checks that every hash in it is still in the checkpoint chain: rewriting the database
//! alone no longer goes unnoticed.
//!
//! A line is `seq<TAB>at<TAB>cases<TAB>events<TAB>hash`; blank lines and lines starting with
//! `#` are skipped, and only the last field (the hash) is checked, so published hashes can be
//! pasted in by hand too.

use std::io::Write;
use std::path::Path;
use store::Checkpoint;

/// Appends `checkpoint`'s line and waits until it is on disk.
pub fn append(path: &Path, checkpoint: &Checkpoint) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let c = checkpoint;
    writeln!(file, "{}\t{}\t{}\t{}\t{}", c.seq, c.at, c.cases, c.events, c.hash)?;
    file.sync_data()
}

/// A hash read from an anchor file, with its line number (from 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub line: usize,
    pub hash: String,
}

/// Reads the hashes of an anchor file. A line whose last field is not a SHA-256 in hex is an
/// error naming the line: a damaged file must not pass as checked.
pub fn read(text: &str) -> Result<Vec<Anchor>, String> {
    let mut anchors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let hash = line.split_whitespace().last().unwrap_or_default().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {}: the last field is not a checkpoint hash (64 hex digits)", i + 1));
        }
        anchors.push(Anchor { line: i + 1, hash });
    }
    Ok(anchors)
}

/// The first anchor whose hash no checkpoint has, if any.
pub fn first_missing<'a>(anchors: &'a [Anchor], checkpoints: &[Checkpoint]) -> Option<&'a Anchor> {
    anchors.iter().find(|a| !checkpoints.iter().any(|c| c.hash == a.hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(seq: u64, hash: &str) -> Checkpoint {
        Checkpoint {
            seq,
            at: "2026-11-24T05:00:00Z".parse().unwrap(),
            cases: 2,
            events: 9,
            through: 9,
            root: "r".into(),
            prev: "p".into(),
            hash: hash.into(),
            access: None,
        }
    }

    #[test]
    fn appended_lines_read_back_as_their_hashes_with_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchors");
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        append(&path, &checkpoint(1, &a)).unwrap();
        append(&path, &checkpoint(2, &b)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().next().unwrap(), format!("1\t2026-11-24T05:00:00Z\t2\t9\t{a}"));
        let anchors = read(&format!("# published by hand:\n\n{text}")).unwrap();
        assert_eq!(anchors, vec![Anchor { line: 3, hash: a.clone() }, Anchor { line: 4, hash: b.clone() }]);
        assert_eq!(first_missing(&anchors, &[checkpoint(1, &a), checkpoint(2, &b)]), None);
        assert_eq!(first_missing(&anchors, &[checkpoint(1, &a)]).map(|m| m.line), Some(4));
    }

    #[test]
    fn a_damaged_line_is_an_error_naming_it_and_a_pasted_hash_counts() {
        assert_eq!(read("1\tx\t2\t9\tnot-a-hash\n").unwrap_err(), "line 1: the last field is not a checkpoint hash (64 hex digits)");
        let pasted = read(&format!("{}\n", "AB".repeat(32))).unwrap();
        assert_eq!(pasted[0].hash, "ab".repeat(32), "compared in lower case");
    }
}
