//! Folding many alike things into few lines, for big StatefulSets: consecutive ordinals as ranges
//! (`0–996, 998`), and a StatefulSet's findings of one code and cause as one finding.

/// "0–3, 5, 7–9": sorted, deduplicated ordinals, consecutive ones as a range (en dash).
pub fn ranges(ordinals: &[i32]) -> String {
    let mut sorted = ordinals.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}–{end}") });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ordinals_are_ranges() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[2, 0, 1, 5, 7, 8, 9, 9]), "0–2, 5, 7–9");
        let all: Vec<i32> = (0..997).chain([998]).collect();
        assert_eq!(ranges(&all), "0–996, 998");
    }
}
