//! The name words a search word may be a typo of, kept in memory for a short while.
//!
//! Finding them costs a statement on `name_trigram` per search, and visitors type the same
//! names and places over and over. What is kept only widens a search (each candidate is an
//! extra alternative in the full-text query); results always come from the live index,
//! so a kept word of a renamed or deleted profile finds nothing. This process forgets
//! everything after each profile write it commits; writes by other processes show within
//! [`KEEP_FOR`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long candidates are kept.
const KEEP_FOR: Duration = Duration::from_secs(30);
/// Distinct search words kept; when full the cache starts over.
const MAX_WORDS: usize = 10_000;

#[derive(Default)]
pub struct TypoCache {
    words: Mutex<HashMap<String, (Instant, Vec<String>)>>,
}

impl TypoCache {
    /// The candidates found for `word` less than [`KEEP_FOR`] ago.
    pub fn get(&self, word: &str) -> Option<Vec<String>> {
        let words = self.words.lock().ok()?;
        let (found_at, candidates) = words.get(word)?;
        (found_at.elapsed() < KEEP_FOR).then(|| candidates.clone())
    }

    pub fn put(&self, word: &str, candidates: Vec<String>) {
        if let Ok(mut words) = self.words.lock() {
            if words.len() >= MAX_WORDS {
                words.clear();
            }
            words.insert(word.to_owned(), (Instant::now(), candidates));
        }
    }

    /// For each of `terms`, its candidates: the kept ones, and for the others what one call
    /// of `lookup` finds (given the missing terms, answering their candidates in order),
    /// which are then kept.
    pub async fn candidates<E, Fut>(
        &self,
        terms: &[String],
        lookup: impl FnOnce(Vec<String>) -> Fut,
    ) -> Result<Vec<Vec<String>>, E>
    where
        Fut: std::future::Future<Output = Result<Vec<Vec<String>>, E>>,
    {
        let mut found: Vec<Option<Vec<String>>> = terms.iter().map(|t| self.get(t)).collect();
        let missing: Vec<String> = terms
            .iter()
            .zip(&found)
            .filter(|(_, kept)| kept.is_none())
            .map(|(t, _)| t.clone())
            .collect();
        if !missing.is_empty() {
            let mut looked_up = lookup(missing).await?.into_iter();
            for (term, slot) in terms.iter().zip(found.iter_mut()) {
                if slot.is_none() {
                    let candidates = looked_up.next().unwrap_or_default();
                    self.put(term, candidates.clone());
                    *slot = Some(candidates);
                }
            }
        }
        Ok(found.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// After a profile's name changed or went: start over.
    pub fn forget_all(&self) {
        if let Ok(mut words) = self.words.lock() {
            words.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_candidates_until_told_to_forget() {
        let cache = TypoCache::default();
        assert_eq!(cache.get("okafr"), None);
        cache.put("okafr", vec!["okafor".to_owned()]);
        assert_eq!(cache.get("okafr"), Some(vec!["okafor".to_owned()]));
        cache.forget_all();
        assert_eq!(cache.get("okafr"), None);
    }

    #[test]
    fn starts_over_when_full() {
        let cache = TypoCache::default();
        for i in 0..MAX_WORDS {
            cache.put(&format!("word{i}"), Vec::new());
        }
        cache.put("okafr", vec!["okafor".to_owned()]);
        assert_eq!(cache.get("word1"), None);
        assert_eq!(cache.get("okafr"), Some(vec!["okafor".to_owned()]));
    }
}
