//! Figures as the suite prints them: one line each as it is measured, and a summary against the
//! issue's targets at the end.

use std::fmt::Write as _;

#[derive(Clone, Debug)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// The target and whether more is better.
    pub target: Option<(f64, bool)>,
}

impl Figure {
    pub fn new(name: &str, value: f64, unit: &'static str) -> Figure {
        Figure { name: name.to_owned(), value, unit, target: None }
    }

    pub fn target(mut self, target: f64, higher_is_better: bool) -> Figure {
        self.target = Some((target, higher_is_better));
        self
    }

    fn verdict(&self) -> &'static str {
        match self.target {
            None => "",
            Some((t, true)) if self.value >= t => "met",
            Some((t, false)) if self.value <= t => "met",
            Some(_) => "MISSED",
        }
    }

    fn line(&self) -> String {
        let mut s = format!("  {:<64} {:>14} {:<8}", self.name, group(self.value), self.unit);
        if let Some((t, higher)) = self.target {
            let _ = write!(s, " target {} {} → {}", if higher { "≥" } else { "≤" }, group(t), self.verdict());
        }
        s
    }
}

/// A number with thousands separators, and two decimals when it is small.
pub fn group(v: f64) -> String {
    if v.abs() < 100.0 {
        return format!("{v:.2}");
    }
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

#[derive(Default)]
pub struct Report {
    figures: Vec<Figure>,
}

impl Report {
    pub fn section(&mut self, title: &str) {
        println!("\n== {title}");
    }

    pub fn note(&mut self, text: &str) {
        println!("  {text}");
    }

    pub fn figure(&mut self, f: Figure) {
        println!("{}", f.line());
        self.figures.push(f);
    }

    pub fn summary(&self) {
        let targeted: Vec<&Figure> = self.figures.iter().filter(|f| f.target.is_some()).collect();
        if targeted.is_empty() {
            return;
        }
        println!("\n== against the targets");
        for f in targeted {
            println!("{}", f.line());
        }
    }
}
