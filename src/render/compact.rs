//! The compact view of big StatefulSets (issue 14): above [`COMPACT_ABOVE`] ordinals, consecutive
//! ordinals shown alike fold into one line naming them as ranges, and on a terminal a map shows
//! every ordinal's state as one glyph. `--wide` / `-o wide` keep one row per ordinal.

use std::io::IsTerminal;

use super::style::Style;
use crate::fold::ranges;

/// More ordinals than this make the table compact (unless --wide or -o wide).
pub const COMPACT_ABOVE: usize = 50;

/// How a list of ordinals is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// Fold consecutive alike rows into one line.
    pub compact: bool,
    /// Columns for the map of the ordinals' states; None: no map (stdout is no terminal).
    pub map_width: Option<usize>,
}

impl View {
    /// One row per ordinal, no map: what small StatefulSets always get.
    pub fn full() -> View {
        View { compact: false, map_width: None }
    }

    /// Compact above the threshold unless `wide`; the map only with a terminal width.
    pub fn choose(ordinals: usize, wide: bool, map_width: Option<usize>) -> View {
        let compact = !wide && ordinals > COMPACT_ABOVE;
        View { compact, map_width: map_width.filter(|_| compact) }
    }

    /// [`View::choose`] with the terminal stdout is, if it is one.
    pub fn detect(ordinals: usize, wide: bool) -> View {
        View::choose(ordinals, wide, terminal_width())
    }
}

/// The width of the terminal stdout is, or None when it is no terminal.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let columns = terminal_size::terminal_size().map(|(w, _)| w.0 as usize);
    let env = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    Some(columns.or(env).unwrap_or(80).max(20))
}

/// Groups consecutive ordinals with equal keys, in order: (ordinals, key) per group. An ordinal
/// that does not follow the previous one (a gap, or the extra pods after the range) starts a group.
pub fn groups<K: PartialEq>(items: impl IntoIterator<Item = (i32, K)>) -> Vec<(Vec<i32>, K)> {
    let mut out: Vec<(Vec<i32>, K)> = Vec::new();
    for (ordinal, key) in items {
        match out.last_mut() {
            Some((ordinals, last)) if *last == key && ordinals.last() == Some(&(ordinal - 1)) => ordinals.push(ordinal),
            _ => out.push((vec![ordinal], key)),
        }
    }
    out
}

/// The nodes of a group at a glance: one by name, two by both names, more as `n1…n40` when they
/// are one prefix numbered without gaps, otherwise as a count.
pub fn nodes<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => "-".into(),
        [one] => one.to_string(),
        [a, b] => format!("{a},{b}"),
        _ => {
            let split = |n: &'a str| {
                let digits = n.len() - n.bytes().rev().take_while(u8::is_ascii_digit).count();
                let number: Option<u64> = n[digits..].parse().ok();
                number.map(|number| (&n[..digits], number))
            };
            let numbered: Option<Vec<(&str, u64)>> = names.iter().map(|n| split(n)).collect();
            if let Some(mut numbered) = numbered
                && numbered.iter().all(|(p, _)| *p == numbered[0].0)
            {
                numbered.sort_unstable_by_key(|(_, n)| *n);
                let (prefix, first, last) = (numbered[0].0, numbered[0].1, numbered[numbered.len() - 1].1);
                if last - first + 1 == numbered.len() as u64 {
                    return format!("{prefix}{first}…{prefix}{last}");
                }
            }
            format!("{} nodes", names.len())
        }
    }
}

/// "1 line", "5 lines".
pub fn lines(n: usize) -> String {
    if n == 1 { "1 line".into() } else { format!("{n} lines") }
}

/// Pods of a StatefulSet named by ordinals: `web-3`, or `web-3–5, 9 (4 pods)`.
pub fn pods(sts: &str, ordinals: &[i32]) -> String {
    match ordinals {
        [one] => format!("{sts}-{one}"),
        _ => format!("{sts}-{} ({} pods)", ranges(ordinals), ordinals.len()),
    }
}

/// One glyph of the map: what it stands for (in the legend) and its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Glyph {
    /// Running and Ready on the update revision (or the only revision).
    Ready,
    /// Running and Ready on an older revision.
    ReadyOld,
    /// Running, not Ready.
    NotReady,
    Pending,
    Terminating,
    Missing,
    /// Failed, Unknown, foreign, on a lost node: needs a person.
    Trouble,
}

impl Glyph {
    fn char(self) -> char {
        match self {
            Glyph::Ready => '█',
            Glyph::ReadyOld => '▓',
            Glyph::NotReady => '▒',
            Glyph::Pending => '░',
            Glyph::Terminating => '↓',
            Glyph::Missing => '·',
            Glyph::Trouble => '✗',
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Glyph::Ready => "Ready",
            Glyph::ReadyOld => "Ready on an older revision",
            Glyph::NotReady => "Running, not Ready",
            Glyph::Pending => "Pending",
            Glyph::Terminating => "Terminating",
            Glyph::Missing => "Missing",
            Glyph::Trouble => "needs attention (failed, unknown, foreign or on a lost node)",
        }
    }

    fn paint(self, style: Style, text: &str) -> String {
        match self {
            Glyph::Ready | Glyph::ReadyOld => style.green(text),
            Glyph::NotReady | Glyph::Pending | Glyph::Terminating => style.yellow(text),
            Glyph::Missing | Glyph::Trouble => style.red(text),
        }
    }
}

/// The map: one glyph per ordinal in groups of ten, each line led by its first ordinal, wrapped
/// to `width` columns; then a legend of the glyphs it uses, with counts.
pub fn map(cells: &[(i32, Glyph)], width: usize, style: Style) -> String {
    let Some(first) = cells.first() else { return String::new() };
    let label = cells.iter().map(|(o, _)| o.to_string().len()).max().unwrap_or(1);
    // Each ten glyphs take 11 columns with the space before them.
    let tens = ((width.saturating_sub(label)) / 11).max(1);
    let per_line = tens * 10;
    let mut out = String::new();
    let mut start = first.0;
    for chunk in cells.chunks(per_line) {
        start = chunk.first().map_or(start, |c| c.0);
        out.push_str(&format!("{start:>label$}"));
        for ten in chunk.chunks(10) {
            out.push(' ');
            for (_, glyph) in ten {
                out.push_str(&glyph.paint(style, &glyph.char().to_string()));
            }
        }
        out.push('\n');
    }
    let mut used: Vec<(Glyph, usize)> = Vec::new();
    for (_, glyph) in cells {
        match used.iter_mut().find(|(g, _)| g == glyph) {
            Some((_, n)) => *n += 1,
            None => used.push((*glyph, 1)),
        }
    }
    used.sort();
    let legend: Vec<String> =
        used.iter().map(|(g, n)| format!("{} {n} {}", g.paint(style, &g.char().to_string()), g.meaning())).collect();
    out.push_str(&legend.join("   "));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_only_above_the_threshold_and_without_wide() {
        assert_eq!(View::choose(50, false, Some(80)), View::full());
        assert_eq!(View::choose(51, false, None), View { compact: true, map_width: None });
        assert_eq!(View::choose(51, false, Some(80)), View { compact: true, map_width: Some(80) });
        assert_eq!(View::choose(1000, true, Some(80)), View::full());
    }

    #[test]
    fn consecutive_alike_ordinals_group() {
        let items = [(0, "a"), (1, "a"), (2, "b"), (3, "a"), (4, "a"), (7, "a")];
        assert_eq!(groups(items), [(vec![0, 1], "a"), (vec![2], "b"), (vec![3, 4], "a"), (vec![7], "a")]);
    }

    #[test]
    fn nodes_at_a_glance() {
        assert_eq!(nodes([]), "-");
        assert_eq!(nodes(["n1", "n1"]), "n1");
        assert_eq!(nodes(["n2", "n1"]), "n1,n2");
        let forty: Vec<String> = (1..=40).map(|i| format!("n{i}")).collect();
        assert_eq!(nodes(forty.iter().map(String::as_str)), "n1…n40");
        assert_eq!(nodes(["n1", "n2", "n9"]), "3 nodes");
        assert_eq!(nodes(["a", "b", "c"]), "3 nodes");
    }

    #[test]
    fn pods_as_ranges() {
        assert_eq!(pods("web", &[3]), "web-3");
        assert_eq!(pods("web", &[3, 4, 5, 9]), "web-3–5, 9 (4 pods)");
    }

    #[test]
    fn the_map_wraps_in_tens_with_a_legend() {
        let cells: Vec<(i32, Glyph)> =
            (0..25).map(|i| (i, if i == 12 { Glyph::Missing } else { Glyph::Ready })).collect();
        // 2 + 11 + 11 = 24 columns: two tens a line.
        let out = map(&cells, 24, Style::plain());
        assert_eq!(out, " 0 ██████████ ██·███████\n20 █████\n█ 24 Ready   · 1 Missing\n");
    }
}
