//! Making command output stable for insta snapshots: names made unique per test run, ages and
//! generated hashes are replaced by placeholders, then tables are re-aligned (placeholders change
//! column widths).

use regex::Regex;

/// Normalizes output of a command run in namespace `ns`.
pub fn normalize(text: &str, ns: &str) -> String {
    let mut s = text.replace(ns, "<ns>");
    let rules: &[(&str, &str)] = &[
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uid>"),
        // controller-revision-hash suffixes (rand.SafeEncodeString alphabet)
        (r"\b([a-z0-9-]+?)-[bcdfghjklmnpqrstvwxz2456789]{6,10}\b", "$1-<rev>"),
        (r"\b\d+[smhdy](\d+[smhd])?\b", "<age>"),
        (r"resourceVersion[=: ]+\d+", "resourceVersion=<rv>"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "<time>"),
        (r"\b\d{2}:\d{2}:\d{2}Z", "<clock>"),
    ];
    for (pattern, replacement) in rules {
        s = Regex::new(pattern).unwrap().replace_all(&s, *replacement).into_owned();
    }
    realign(&s)
}

/// Re-aligns each table (a header line of upper-case cells and the lines under it up to a blank line).
fn realign(text: &str) -> String {
    let split = Regex::new(r" {2,}").unwrap();
    let header = Regex::new(r"^[A-Z][A-Z0-9 /()_.-]*$").unwrap();
    let mut out = Vec::new();
    let mut block: Vec<Vec<String>> = Vec::new();
    let flush = |block: &mut Vec<Vec<String>>, out: &mut Vec<String>| {
        let columns = block.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| block.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0))
            .collect();
        for row in block.drain(..) {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| if i + 1 == row.len() { c.clone() } else { format!("{c:<w$}", w = widths[i]) })
                .collect();
            out.push(cells.join("   "));
        }
    };
    for line in text.lines() {
        let cells: Vec<String> = split.split(line.trim_end()).map(String::from).collect();
        let is_header = cells.len() > 1 && cells.iter().all(|c| header.is_match(c));
        if is_header {
            flush(&mut block, &mut out);
            block.push(cells);
        } else if !block.is_empty() && !line.trim().is_empty() {
            block.push(cells);
        } else {
            flush(&mut block, &mut out);
            out.push(line.trim_end().to_string());
        }
    }
    flush(&mut block, &mut out);
    out.join("\n") + "\n"
}
