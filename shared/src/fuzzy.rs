//! Small-typo matching for names, one rule for both database engines. Words are already
//! folded (`validate::fold`) and split into letters and digits.
//!
//! Candidates come from an index of trigrams (`name_trigram`); [`typo_distance`] then
//! decides, so "tremblya" finds "Tremblay" and "okafr" finds "Okafor".

/// The folded words of a text: runs of letters and digits, as the full-text indexes split
/// them. Nothing else survives, so a word is safe inside a full-text query.
pub fn words(text: &str) -> Vec<String> {
    crate::validate::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The words of a name worth indexing for typos: folded, split at anything but letters
/// and digits (as the full-text index splits them), three letters or more.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = words(name).into_iter().filter(|w| w.chars().count() >= 3).collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The trigrams of a word, with two leading blanks so that the first letters count
/// twice as much as the rest (typos are rarer at the start of a name). No trailing
/// blank: a word being typed should still meet the names it starts.
pub fn trigrams(word: &str) -> Vec<String> {
    let padded: Vec<char> = "  ".chars().chain(word.chars()).collect();
    let mut out: Vec<String> = padded.windows(3).map(|w| w.iter().collect()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How many edits a query word of this length may be away from a name: none below four
/// letters (those are prefixes being typed), one up to seven, two from eight.
pub fn allowed_typos(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The fewest single-letter insertions, deletions, substitutions or swaps of two
/// neighbours that turn `typed` into `name` or into the start of `name` (someone still
/// typing); `None` when that is more than `limit`.
pub fn typo_distance(typed: &str, name: &str, limit: usize) -> Option<usize> {
    let typed: Vec<char> = typed.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let rows = distance_rows(&typed, &name);
    let last = &rows[typed.len()];
    // Against the whole name, or against its start as long as `typed`.
    let lowest = last[name.len()].min(last[typed.len().min(name.len())]);
    (lowest <= limit).then_some(lowest)
}

/// Optimal-string-alignment table: `rows[i][j]` is the distance between `a[..i]` and `b[..j]`.
fn distance_rows(a: &[char], b: &[char]) -> Vec<Vec<usize>> {
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_weigh_the_start_of_a_word() {
        let mut expected = ["  o", " ok", "oka", "kaf", "afo", "for"].map(String::from).to_vec();
        expected.sort_unstable();
        assert_eq!(trigrams("okafor"), expected);
        assert_eq!(trigrams("li"), ["  l", " li"]);
    }

    #[test]
    fn typos_are_counted_as_people_make_them() {
        assert_eq!(typo_distance("tremblya", "tremblay", 2), Some(1), "two letters swapped");
        assert_eq!(typo_distance("okafr", "okafor", 1), Some(1), "a letter left out");
        assert_eq!(typo_distance("smiht", "smith", 1), Some(1));
        assert_eq!(typo_distance("patek", "patel", 1), Some(1), "a wrong letter");
        assert_eq!(typo_distance("macdonlad", "macdonald", 2), Some(1));
        assert_eq!(
            typo_distance("trenbl", "tremblay", 1),
            Some(1),
            "a name still being typed"
        );
        assert_eq!(typo_distance("okafor", "okafor", 1), Some(0));
        assert_eq!(typo_distance("nguyen", "wang", 1), None, "different names stay apart");
        assert_eq!(typo_distance("chen", "cohen", 1), Some(1));
        assert_eq!(
            typo_distance("", "anything", 0),
            Some(0),
            "an empty word starts every name"
        );
        assert_eq!(
            typo_distance("marat", "martin", 1),
            None,
            "a start one letter shorter is too loose"
        );
    }

    #[test]
    fn short_words_get_no_typo_allowance() {
        assert_eq!(allowed_typos("li"), 0);
        assert_eq!(allowed_typos("chen"), 1);
        assert_eq!(allowed_typos("tremblya"), 2);
    }
}
