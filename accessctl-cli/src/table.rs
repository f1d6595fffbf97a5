//! Aligned columns for answers read by people (`who-can`, `what-can`).
//!
//! Owns padding cells to the width of their column, counted in characters. It must
//! never decide what goes in a table, and never truncate a cell.

/// `rows` as lines, each indented by two spaces, columns separated by two spaces and
/// padded to the widest cell; trailing spaces removed.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(&widths) {
            line.push(' ');
            line.push_str(cell);
            let pad = width.saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad + 1));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_to_the_widest_cell() {
        let rows = vec![
            vec!["ana".to_owned(), "via door é".to_owned(), "x".to_owned()],
            vec![
                "alexandre".to_owned(),
                "via path p".to_owned(),
                String::new(),
            ],
        ];
        assert_eq!(
            render(&rows),
            "  ana        via door é  x\n  alexandre  via path p\n"
        );
    }
}
