//! Finding a client as the counsellor types: by name or code, ignoring case and accents
//! ("helene" finds "Hélène"). The index holds folded names and codes in memory only, built on
//! the first search after the vault changed; nothing of it reaches the disk.

use crate::client::{Client, KIND};
use crate::error::Result;
use crate::ids::RecordId;
use crate::vault::Vault;

pub(crate) struct SearchIndex {
    generation: u64,
    entries: std::collections::HashMap<RecordId, (String, String)>, // folded name, code
}

impl Drop for SearchIndex {
    fn drop(&mut self) {
        for (name, code) in self.entries.values_mut() {
            zeroize::Zeroize::zeroize(name);
            zeroize::Zeroize::zeroize(code);
        }
    }
}

/// Lower case without accents: Latin letters with diacritics become their base letter.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'œ' => {
                out.push('o');
                'e'
            }
            'æ' => {
                out.push('a');
                'e'
            }
            '\u{300}'..='\u{36f}' => continue, // combining marks (decomposed input)
            c => c,
        };
        out.push(base);
    }
    out
}

impl Vault {
    /// Clients whose name or code contains every word typed, ignoring case and accents; names
    /// that start with the first word come first. At most `limit` results.
    pub fn search_clients(&self, query: &str, limit: usize) -> Result<Vec<Client>> {
        let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        self.refresh_search_index()?;
        let index = self.search.borrow();
        let entries = &index.as_ref().expect("built above").entries;
        let mut hits: Vec<(bool, &str, RecordId)> = entries
            .iter()
            .filter(|(_, (name, code))| {
                words
                    .iter()
                    .all(|w| name.contains(w.as_str()) || code.contains(w.as_str()))
            })
            .map(|(id, (name, code))| {
                let starts = name.split_whitespace().any(|n| n.starts_with(&words[0]))
                    || code.starts_with(&words[0]);
                (!starts, name.as_str(), *id)
            })
            .collect();
        hits.sort();
        hits.truncate(limit);
        hits.into_iter().map(|(_, _, id)| self.client(id)).collect()
    }

    /// Bring the index up to date: from the store's change log when it can (a view writes an
    /// audit record: that must not cost a decryption of every client), else from scratch.
    fn refresh_search_index(&self) -> Result<()> {
        let generation = self.store.generation();
        let mut slot = self.search.borrow_mut();
        let changed = match slot.as_ref() {
            Some(i) if i.generation == generation => return Ok(()),
            Some(i) => self.store.changed_since(i.generation),
            None => None,
        };
        match (slot.as_mut(), changed) {
            (Some(index), Some(changed)) => {
                for &id in changed {
                    let old = match self.store.state(id) {
                        Ok(Some(state)) if state.kind == KIND && state.deleted.is_none() => {
                            index.entries.insert(id, folded(&state))
                        }
                        // Not a client, deleted, or unreadable: not found by search.
                        _ => index.entries.remove(&id),
                    };
                    if let Some((mut name, mut code)) = old {
                        zeroize::Zeroize::zeroize(&mut name);
                        zeroize::Zeroize::zeroize(&mut code);
                    }
                }
                index.generation = generation;
            }
            _ => {
                let mut entries = std::collections::HashMap::new();
                self.store.for_each_state(KIND, |id, state| {
                    if state.deleted.is_none() {
                        entries.insert(id, folded(&state));
                    }
                })?;
                *slot = Some(SearchIndex {
                    generation,
                    entries,
                });
            }
        }
        Ok(())
    }
}

/// A client's folded name and code.
fn folded(state: &crate::merge::RecordState) -> (String, String) {
    let text = |field| {
        state
            .value(field)
            .and_then(|v| v.as_text())
            .map(fold)
            .unwrap_or_default()
    };
    (text("name"), text("code"))
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Hélène MUKAMANA"), "helene mukamana");
        assert_eq!(fold("Françoise Œuvre"), "francoise oeuvre");
        assert_eq!(
            fold("He\u{301}le\u{300}ne"),
            "helene",
            "decomposed accents too"
        );
    }
}
