//! kubectl-style tables: upper-case headers, no borders, columns three spaces apart.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};

/// Renders rows under headers; cells may carry ANSI colour (width is computed without it).
pub fn render(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(headers.iter().map(|h| h.to_uppercase()));
    for row in rows {
        table.add_row(row);
    }
    let last = headers.len().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 3 }));
        column.set_constraint(ColumnConstraint::ContentWidth);
    }
    let mut out: String = table.lines().map(|l| l.trim_end().to_string() + "\n").collect();
    if out.is_empty() {
        out.push('\n');
    }
    out
}

/// "-" for an absent value, as kubectl prints <none>-ish cells compactly.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_like_kubectl() {
        let out = render(
            &["name", "ready", "node"],
            vec![vec!["web-0".into(), "true".into(), "n1".into()], vec!["web-10".into(), "false".into(), "-".into()]],
        );
        assert_eq!(out, "NAME     READY   NODE\nweb-0    true    n1\nweb-10   false   -\n");
    }
}
