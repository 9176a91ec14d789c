//! Free-text goal similarity: TF-IDF vectors and their cosine.
//!
//! No network and no model: a tokeniser (lower case, letters and digits, a small
//! English stop-word list, a light suffix stripper), document frequencies over
//! everyone in the run, and sparse unit vectors sorted by term id.
//!
//! Weights are `(1 + ln tf) * (1 + ln((N + 1) / (df + 1)))`, then the vector is
//! scaled to length [`UNIT`] (just under 1) so that the sum of per-term
//! products, each rounded down, can never exceed the criterion's weight.

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

/// Documents per parallel run when building the dictionary.
const DOCS_PER_RUN: usize = 4096;

/// Vector length after normalisation: just below 1, so floating-point error
/// cannot push a cosine above 1.
pub const UNIT: f64 = 0.999_999;

/// A small English stop-word list (function words and mentoring filler),
/// sorted and without repeats (a test keeps it so); looked up through a hash
/// set.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "able",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "become",
    "been",
    "before",
    "being",
    "below",
    "better",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "help",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "improve",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "learn",
    "like",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "really",
    "same",
    "she",
    "should",
    "so",
    "some",
    "someone",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "want",
    "wants",
    "was",
    "way",
    "ways",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "work",
    "would",
    "year",
    "years",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// The longest stop word, in bytes: longer words skip the lookup.
const LONGEST_STOP_WORD: usize = {
    let (mut i, mut longest) = (0, 0);
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].len() > longest {
            longest = STOP_WORDS[i].len();
        }
        i += 1;
    }
    longest
};

/// [`STOP_WORDS`] as a set: one hash instead of eight string comparisons, for
/// every word of every goal text.
static STOP_SET: std::sync::LazyLock<foldhash::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| STOP_WORDS.iter().copied().collect());

fn is_stop_word(word: &str) -> bool {
    word.len() <= LONGEST_STOP_WORD && STOP_SET.contains(word)
}

/// Strips a few common English suffixes so "leaders", "leading" and "lead"
/// meet. Deliberately light: it never shortens a word below 3 letters.
fn stem(word: &str) -> &str {
    let n = word.len();
    for (suffix, min_left) in [
        ("ings", 4),
        ("ing", 4),
        ("ers", 4),
        ("er", 4),
        ("es", 4),
        ("s", 3),
    ] {
        if n >= suffix.len() + min_left && word.ends_with(suffix) {
            let cut = &word[..n - suffix.len()];
            if suffix == "s" && cut.ends_with('s') {
                return word;
            }
            return cut;
        }
    }
    word
}

/// Splits text into normalised terms: lower-cased runs of letters and digits,
/// stop words and one-letter words dropped, light stemming applied.
pub fn tokens(text: &str) -> Vec<String> {
    terms(text).iter().map(str::to_string).collect()
}

/// The terms of one text, as [`tokens`] splits them, held in one buffer: a run
/// splits every goal text of every person, and a `String` per term made
/// allocation and freeing a quarter of building the features.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terms {
    text: String,
    /// End of each term in `text`; terms are back to back.
    ends: Vec<u32>,
}

impl Terms {
    /// The terms in text order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(a, b)| &self.text[a as usize..b as usize])
    }
}

/// [`tokens`] into a [`Terms`].
pub fn terms(text: &str) -> Terms {
    let mut out = Terms::default();
    let lower = text.to_lowercase();
    for raw in lower.split(|c: char| !c.is_alphanumeric()) {
        if raw.chars().nth(1).is_none() || is_stop_word(raw) {
            continue;
        }
        let s = stem(raw);
        if !is_stop_word(s) {
            out.text.push_str(s);
            out.ends.push(out.text.len() as u32);
        }
    }
    out
}

/// A sparse vector: term ids ascending, with their weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Term ids, strictly ascending.
    pub terms: Vec<u32>,
    /// Weight of each term; the vector has length [`UNIT`] (or is empty).
    pub weights: Vec<f32>,
}

impl SparseVec {
    /// True when the text had no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Cosine similarity with another vector (a merge over sorted ids).
    pub fn cosine(&self, other: &SparseVec) -> f64 {
        let (mut i, mut j) = (0, 0);
        let mut sum = 0.0f64;
        while i < self.terms.len() && j < other.terms.len() {
            match self.terms[i].cmp(&other.terms[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += f64::from(self.weights[i]) * f64::from(other.weights[j]);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    /// Shared terms as (term id, own weight, other weight), in term order.
    pub fn shared<'a>(
        &'a self,
        other: &'a SparseVec,
    ) -> impl Iterator<Item = (u32, f32, f32)> + 'a {
        let (mut i, mut j) = (0, 0);
        std::iter::from_fn(move || {
            while i < self.terms.len() && j < other.terms.len() {
                match self.terms[i].cmp(&other.terms[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        let r = (self.terms[i], self.weights[i], other.weights[j]);
                        i += 1;
                        j += 1;
                        return Some(r);
                    }
                }
            }
            None
        })
    }
}

/// Term dictionary and inverse document frequencies for one run.
#[derive(Debug, Clone, Default)]
pub struct TextIndex {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    idf: Vec<f32>,
}

impl TextIndex {
    /// Builds the dictionary and document frequencies from every document.
    pub fn build<'a>(docs: impl IntoIterator<Item = &'a str>) -> TextIndex {
        let split: Vec<Terms> = docs.into_iter().map(terms).collect();
        TextIndex::from_terms(&split)
    }

    /// [`TextIndex::build`] from documents already split by [`terms`].
    ///
    /// Runs of documents count their own terms in parallel; the runs are then
    /// merged in order, so ids follow first appearance exactly as one pass
    /// would number them.
    pub fn from_terms(docs: &[Terms]) -> TextIndex {
        let local: Vec<(Vec<&str>, Vec<u32>)> = docs
            .par_chunks(DOCS_PER_RUN)
            .map(|run| {
                let mut ids: HashMap<&str, u32> = HashMap::new();
                let mut names: Vec<&str> = Vec::new();
                let mut df: Vec<u32> = Vec::new();
                let mut seen: Vec<u32> = Vec::new();
                for doc in run {
                    seen.clear();
                    for t in doc.iter() {
                        let id = *ids.entry(t).or_insert_with(|| {
                            names.push(t);
                            df.push(0);
                            names.len() as u32 - 1
                        });
                        seen.push(id);
                    }
                    seen.sort_unstable();
                    seen.dedup();
                    for &id in &seen {
                        df[id as usize] += 1;
                    }
                }
                (names, df)
            })
            .collect();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        for (run_names, run_df) in local {
            for (t, d) in run_names.into_iter().zip(run_df) {
                let id = *ids.entry(t.to_string()).or_insert_with(|| {
                    names.push(t.to_string());
                    df.push(0);
                    names.len() as u32 - 1
                });
                df[id as usize] += d;
            }
        }
        let n = docs.len() as f64;
        let idf = df
            .iter()
            .map(|&d| (1.0 + ((n + 1.0) / (f64::from(d) + 1.0)).ln()) as f32)
            .collect();
        TextIndex { ids, names, idf }
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no document had any term.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The term text for an id.
    pub fn term(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    /// The TF-IDF unit vector of a text; terms unknown to the index are ignored.
    pub fn vector(&self, text: &str) -> SparseVec {
        self.vector_of(&terms(text))
    }

    /// [`TextIndex::vector`] of a text already split by [`terms`].
    pub fn vector_of(&self, terms: &Terms) -> SparseVec {
        let mut counts: Vec<(u32, u32)> = Vec::new();
        for t in terms.iter() {
            if let Some(&id) = self.ids.get(t) {
                counts.push((id, 1));
            }
        }
        counts.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(counts.len());
        for (id, c) in counts {
            match merged.last_mut() {
                Some(last) if last.0 == id => last.1 += c,
                _ => merged.push((id, c)),
            }
        }
        let raw: Vec<f64> = merged
            .iter()
            .map(|&(id, tf)| (1.0 + f64::from(tf).ln()) * f64::from(self.idf[id as usize]))
            .collect();
        let norm = raw.iter().map(|w| w * w).sum::<f64>().sqrt();
        if norm == 0.0 {
            return SparseVec::default();
        }
        SparseVec {
            terms: merged.iter().map(|&(id, _)| id).collect(),
            weights: raw.iter().map(|w| (w / norm * UNIT) as f32).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_without_repeats() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        assert!(!is_stop_word("leadership"));
    }

    #[test]
    fn longest_stop_word_bounds_the_list() {
        assert_eq!(
            STOP_WORDS.iter().map(|w| w.len()).max(),
            Some(LONGEST_STOP_WORD)
        );
    }

    #[test]
    fn terms_hold_what_tokens_return() {
        let text = "Leading leaders: the C++ roadmap, x, año 2026 and réseaux";
        let t = terms(text);
        assert_eq!(t.iter().collect::<Vec<_>>(), tokens(text));
        assert_eq!(terms("").iter().count(), 0);
    }

    #[test]
    fn dictionary_numbers_terms_by_first_appearance_across_runs() {
        // More documents than one parallel run, with terms first seen in later runs.
        let docs: Vec<String> = (0..3 * DOCS_PER_RUN + 17)
            .map(|d| format!("common term{} rare{}", d % 7, d / 1000))
            .collect();
        let idx = TextIndex::build(docs.iter().map(String::as_str));
        let mut first: Vec<String> = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for d in &docs {
            let mut own = tokens(d);
            for t in &own {
                if !first.contains(t) {
                    first.push(t.clone());
                }
            }
            own.sort();
            own.dedup();
            for t in own {
                *df.entry(t).or_insert(0) += 1;
            }
        }
        assert_eq!(idx.len(), first.len());
        let n = docs.len() as f64;
        for (id, t) in first.iter().enumerate() {
            assert_eq!(idx.term(id as u32), t);
            let want = (1.0 + ((n + 1.0) / (f64::from(df[t]) + 1.0)).ln()) as f32;
            assert_eq!(idx.idf[id], want, "{t}");
        }
    }

    #[test]
    fn tokeniser_drops_stop_words_and_stems() {
        assert_eq!(
            tokens("I want to improve my Public Speaking and lead teams!"),
            vec!["public", "speak", "lead", "team"]
        );
        assert_eq!(tokens("the a of"), Vec::<String>::new());
        assert_eq!(tokens("class"), vec!["class"]);
    }

    #[test]
    fn cosine_is_one_for_same_text_and_zero_for_disjoint() {
        let docs = [
            "public speaking and storytelling",
            "negotiation with suppliers",
            "public speaking for engineers",
        ];
        let idx = TextIndex::build(docs);
        let a = idx.vector(docs[0]);
        let b = idx.vector(docs[1]);
        let c = idx.vector(docs[2]);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-5);
        assert!(a.cosine(&a) <= 1.0);
        assert_eq!(a.cosine(&b), 0.0);
        let ac = a.cosine(&c);
        assert!(ac > 0.1 && ac < 1.0, "{ac}");
        assert_eq!(a.shared(&c).count(), 2);
        assert!(idx.vector("").is_empty());
    }
}
