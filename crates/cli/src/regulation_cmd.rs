//! `shaqyru regulation check|show`: validate a definition file of the regulation, reporting
//! every problem as `file:line:column: message`, and print an edition's steps as a table.

use domain::Definition;
use domain::definition::{Outcome, Step};
use domain::text::Lang;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Validates the definition file at `path`. On success prints one line naming the edition, its
/// number of steps and its content hash; otherwise prints every problem and their count to
/// stderr and returns 1. A file that cannot be read returns 2.
pub fn check(path: &Path) -> ExitCode {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read the definition file {name}: {e}");
            return ExitCode::from(2);
        }
    };
    match report(&name, &text) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprint!("{problems}");
            ExitCode::from(1)
        }
    }
}

/// What `check` prints for a file's text: the success line, or every problem followed by
/// their count.
fn report(name: &str, text: &str) -> Result<String, String> {
    match domain::definition::load(name, text) {
        Ok(def) => Ok(format!("{name}: edition {}, {} steps, sha256 {}: ok", def.edition(), def.steps.len(), def.edition_ref.hash)),
        Err(problems) => {
            let n = problems.items.len();
            let mut out = problems.to_string();
            let _ = writeln!(out, "{n} {}", if n == 1 { "problem" } else { "problems" });
            Err(out)
        }
    }
}

/// The edition as plain text: the act, its dates, the content hash, the service term and the
/// extension rule, then a table of the steps in file order with their titles in `lang`.
pub fn show(def: &Definition, lang: Lang) -> String {
    let mut out = String::new();
    let act = &def.act;
    let _ = writeln!(out, "Edition {}: {}", def.edition(), def.service.get(lang));
    let _ = writeln!(
        out,
        "Act: Order No. {} of {}, registered on {} under No. {}",
        act.number, act.date, act.registration_date, act.registration_number
    );
    let until = act.effective_to.map_or_else(|| "no end date".to_owned(), |d| d.to_string());
    let estimated = if act.dates_estimated { " (estimated)" } else { "" };
    let _ = writeln!(out, "In force: {} to {until}{estimated}", act.effective_from);
    for (label, value) in [("Amends", &act.amends), ("Standard", &act.standard), ("Repealed by", &act.repealed_by)] {
        if let Some(value) = value {
            let _ = writeln!(out, "{label}: {value}");
        }
    }
    let _ = writeln!(out, "Content: sha256 {}", def.edition_ref.hash);
    let term = &def.term;
    let start_day = if term.count_start_day { "the start day counted" } else { "the start day not counted" };
    let _ = write!(out, "Term: {} from \"{}\", {start_day}", term.limit, term.starts);
    if let Some(before) = &term.deliver_before_end {
        let _ = write!(out, "; the result is delivered {before} before the term ends");
    }
    let _ = writeln!(out, "{}", cites(&term.cites));
    match &def.extension {
        Some(e) => {
            let _ = writeln!(
                out,
                "Extension: {}/{} extends up to {}; notice step {}{}",
                e.step,
                e.outcome,
                e.max,
                e.notice_step,
                cites(&e.cites)
            );
        }
        None => {
            let _ = writeln!(out, "Extension: none");
        }
    }
    out.push('\n');

    let header = ["id", "§", "role", "limit", "system", "outcomes", "title"];
    let rows: Vec<[String; 7]> = def.steps.iter().map(|s| row(def, s, lang)).collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header = header.map(str::to_owned);
    let rule = widths.map(|w| "-".repeat(w));
    for r in std::iter::once(&header).chain(std::iter::once(&rule)).chain(&rows) {
        out.push_str(&table_line(r, &widths));
    }
    out
}

/// " (§6.5, §8.3)", or nothing when there are no citations.
fn cites(cites: &[String]) -> String {
    if cites.is_empty() {
        return String::new();
    }
    let list: Vec<String> = cites.iter().map(|c| format!("§{c}")).collect();
    format!(" ({})", list.join(", "))
}

fn row(def: &Definition, step: &Step, lang: Lang) -> [String; 7] {
    let role = def.role(&step.role).map_or_else(|| step.role.to_string(), |r| r.title.get(lang).to_owned());
    [
        step.id.to_string(),
        step.cites.join(", "),
        role,
        limit(step),
        step.system().unwrap_or("-").to_owned(),
        step.outcomes.iter().map(outcome).collect::<Vec<_>>().join("; "),
        step.title.get(lang).to_owned(),
    ]
}

fn limit(step: &Step) -> String {
    let mut text = step.limit.to_string();
    if let Some(anchor) = step.same_day_as {
        let _ = write!(text, " (same day as {})", anchor.code());
    }
    text
}

/// `id → P6`, `id → end:refused`, `id → branch end`, `id → P5n, keeps open`.
fn outcome(o: &Outcome) -> String {
    let mut leads: Vec<String> = Vec::new();
    if !o.next.is_empty() {
        leads.push(o.next.join(", "));
    }
    if let Some(result) = o.end {
        leads.push(format!("end:{}", result.code()));
    }
    if o.branch_end {
        leads.push("branch end".to_owned());
    }
    if o.keep_open {
        leads.push("keeps open".to_owned());
    }
    format!("{} → {}", o.id, leads.join(", "))
}

/// One line of the table: every cell but the last padded to its column's width in characters
/// (Kazakh and Russian letters are two bytes each).
fn table_line(cells: &[String; 7], widths: &[usize; 7]) -> String {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if i + 1 == cells.len() {
            line.push_str(cell);
        } else {
            line.push_str(cell);
            line.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
    }
    line.truncate(line.trim_end().len());
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = include_str!("../../../regulation/2018.toml");

    fn def() -> Definition {
        domain::definition::load("regulation/2018.toml", SRC).expect("the shipped edition loads")
    }

    #[test]
    fn show_lists_every_step_in_file_order() {
        let def = def();
        let text = show(&def, Lang::En);
        let ids: Vec<&str> =
            text.lines().skip_while(|l| !l.starts_with("id ")).skip(2).filter_map(|l| l.split_whitespace().next()).collect();
        let want: Vec<&str> = def.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, want, "{text}");
        for id in ["SC1", "SC2", "SC3", "SC4", "SC5", "P1", "P2", "P3", "P4", "P5", "P5n", "P6", "P7", "P8", "P9"] {
            assert!(ids.contains(&id), "no row for {id}");
        }
        assert!(text.contains("6.5"));
    }

    #[test]
    fn show_gives_the_paragraph_role_limit_system_and_outcomes_of_a_step() {
        let text = show(&def(), Lang::En);
        let p5 = text.lines().find(|l| l.starts_with("P5 ")).expect("a row for P5");
        for part in ["6.5, 8.3", "KNB liaison", "3 working days", "knb", "agree → P6", "extend → P5n, keeps open"] {
            assert!(p5.contains(part), "{part:?} not in {p5:?}");
        }
        assert!(text.contains("6.5"));
        let sc1 = text.lines().find(|l| l.starts_with("SC1 ")).unwrap();
        assert!(sc1.contains("incomplete → end:refused_to_accept"), "{sc1}");
        let p1 = text.lines().find(|l| l.starts_with("P1 ")).unwrap();
        assert!(p1.contains("10 working minutes (same day as arrival_from_sc)"), "{p1}");
        assert!(p1.contains(" - "), "P1 calls no system: {p1}");
        let p5n = text.lines().find(|l| l.starts_with("P5n ")).unwrap();
        assert!(p5n.contains("notice_sent → branch end"), "{p5n}");
    }

    #[test]
    fn show_gives_the_act_dates_hash_term_and_extension() {
        let def = def();
        let text = show(&def, Lang::En);
        for part in [
            "Edition 2018",
            "Order No. 178 of 2018-03-12",
            "No. 16653",
            "2018-04-16 to 2019-03-04 (estimated)",
            def.edition_ref.hash.as_str(),
            "Term: 5 calendar days",
            "the start day not counted",
            "Extension: P5/extend extends up to 30 calendar days; notice step P5n",
        ] {
            assert!(text.contains(part), "{part:?} not in:\n{text}");
        }
    }

    #[test]
    fn show_aligns_columns_by_characters_in_every_language() {
        let def = def();
        for lang in Lang::ALL {
            let text = show(&def, lang);
            let p2 = def.step("P2").unwrap();
            assert!(text.contains(p2.title.get(lang)), "no title in {lang:?}");
            let role = def.role("management").unwrap().title.get(lang);
            assert!(text.contains(role), "no role title in {lang:?}");
            // The title column starts at the same character on every row of the table.
            let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("id ")).collect();
            let rule = table[1];
            let title_at = rule.chars().count() - rule.split_whitespace().last().unwrap().chars().count();
            for (line, step) in table[2..].iter().zip(&def.steps) {
                let title: String = line.chars().skip(title_at).collect();
                assert_eq!(title, step.title.get(lang), "misaligned in {lang:?}: {line}");
            }
        }
    }

    #[test]
    fn check_reports_the_shipped_edition_as_ok() {
        let line = report("regulation/2018.toml", SRC).expect("ok");
        assert!(line.starts_with("regulation/2018.toml: edition 2018, 15 steps, sha256 "), "{line}");
        assert!(line.ends_with(": ok"), "{line}");
    }

    #[test]
    fn check_reports_every_problem_and_their_count() {
        let broken =
            SRC.replacen("role = \"management\"", "role = \"manager\"", 1).replacen("\"10 working minutes\"", "\"10 working minutez\"", 1);
        let text = report("broken.toml", &broken).expect_err("broken");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        let line_of = |needle: &str| broken.lines().position(|l| l.contains(needle)).expect("present") + 1;
        assert!(lines[0].starts_with(&format!("broken.toml:{}:9: bad duration", line_of("minutez"))), "{text}");
        assert!(lines[1].starts_with(&format!("broken.toml:{}:", line_of("\"manager\""))), "{text}");
        assert_eq!(lines[2], "2 problems");
    }

    #[test]
    fn check_exit_codes_say_ok_problems_or_unreadable() {
        let dir = std::env::temp_dir().join(format!("shaqyru-regulation-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, SRC).unwrap();
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[edition]\n").unwrap();
        assert_eq!(check(&good), ExitCode::SUCCESS);
        assert_eq!(check(&bad), ExitCode::from(1));
        assert_eq!(check(&dir.join("missing.toml")), ExitCode::from(2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
