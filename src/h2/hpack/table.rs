//! The two tables an index points into (RFC 7541 §2.3): the static table,
//! 61 fields fixed by the RFC (Appendix A), then the dynamic table, the
//! fields this connection's encoder chose to add, newest first. Index 1
//! is the static table's first entry, 61 its last, 62 the newest dynamic
//! entry, 62 + n - 1 the oldest of n (§2.3.3).
//!
//! ```text
//!  1 ... 61 | 62 ... 62+n-1
//!  static   | dynamic: newest ... oldest
//! ```
//!
//! The dynamic table is bounded in bytes, not entries (§4.1): an entry's
//! size is its name's length, its value's, and 32 (an estimate of what an
//! implementation spends on one). Adding an entry first evicts the oldest
//! ones until it fits; an entry larger than the whole table empties it
//! and is not added (§4.4). A size update lowers or raises the bound,
//! evicting what no longer fits (§4.3).

use std::collections::VecDeque;

use super::Error;

/// RFC 7541 Appendix A: entry `i` (from 1) is `STATIC[i - 1]`.
pub const STATIC: [(&str, &str); 61] = [
    (":authority", ""),                   // 1
    (":method", "GET"),                   // 2
    (":method", "POST"),                  // 3
    (":path", "/"),                       // 4
    (":path", "/index.html"),             // 5
    (":scheme", "http"),                  // 6
    (":scheme", "https"),                 // 7
    (":status", "200"),                   // 8
    (":status", "204"),                   // 9
    (":status", "206"),                   // 10
    (":status", "304"),                   // 11
    (":status", "400"),                   // 12
    (":status", "404"),                   // 13
    (":status", "500"),                   // 14
    ("accept-charset", ""),               // 15
    ("accept-encoding", "gzip, deflate"), // 16
    ("accept-language", ""),              // 17
    ("accept-ranges", ""),                // 18
    ("accept", ""),                       // 19
    ("access-control-allow-origin", ""),  // 20
    ("age", ""),                          // 21
    ("allow", ""),                        // 22
    ("authorization", ""),                // 23
    ("cache-control", ""),                // 24
    ("content-disposition", ""),          // 25
    ("content-encoding", ""),             // 26
    ("content-language", ""),             // 27
    ("content-length", ""),               // 28
    ("content-location", ""),             // 29
    ("content-range", ""),                // 30
    ("content-type", ""),                 // 31
    ("cookie", ""),                       // 32
    ("date", ""),                         // 33
    ("etag", ""),                         // 34
    ("expect", ""),                       // 35
    ("expires", ""),                      // 36
    ("from", ""),                         // 37
    ("host", ""),                         // 38
    ("if-match", ""),                     // 39
    ("if-modified-since", ""),            // 40
    ("if-none-match", ""),                // 41
    ("if-range", ""),                     // 42
    ("if-unmodified-since", ""),          // 43
    ("last-modified", ""),                // 44
    ("link", ""),                         // 45
    ("location", ""),                     // 46
    ("max-forwards", ""),                 // 47
    ("proxy-authenticate", ""),           // 48
    ("proxy-authorization", ""),          // 49
    ("range", ""),                        // 50
    ("referer", ""),                      // 51
    ("refresh", ""),                      // 52
    ("retry-after", ""),                  // 53
    ("server", ""),                       // 54
    ("set-cookie", ""),                   // 55
    ("strict-transport-security", ""),    // 56
    ("transfer-encoding", ""),            // 57
    ("user-agent", ""),                   // 58
    ("vary", ""),                         // 59
    ("via", ""),                          // 60
    ("www-authenticate", ""),             // 61
];

/// The size every entry adds to its name and value (§4.1).
pub const ENTRY_OVERHEAD: usize = 32;

/// The table size both ends start with in HTTP/2: the initial value of
/// SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2).
pub const DEFAULT_SIZE: usize = 4096;

/// An entry's size, or a field's in a header list (§4.1, RFC 9113 §6.5.2).
pub fn entry_size(name: &[u8], value: &[u8]) -> usize {
    name.len() + value.len() + ENTRY_OVERHEAD
}

/// One field of the dynamic table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
}

impl Entry {
    pub fn size(&self) -> usize {
        entry_size(&self.name, &self.value)
    }
}

/// The dynamic table (§2.3.2): a queue of fields, newest first, bounded
/// by the sum of their sizes.
#[derive(Clone, Debug)]
pub struct DynamicTable {
    entries: VecDeque<Entry>,
    size: usize,
    max_size: usize,
}

impl DynamicTable {
    pub fn new(max_size: usize) -> Self {
        DynamicTable {
            entries: VecDeque::new(),
            size: 0,
            max_size,
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sum of its entries' sizes (§4.1).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The bound on [`DynamicTable::size`], as the last size update (or
    /// the start) set it.
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// The entries, newest (index 62) first.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The entry at HPACK index `index` (62 and up), if there is one.
    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index.checked_sub(STATIC.len() + 1)?)
    }

    /// Adds a field as the newest entry, evicting the oldest until it
    /// fits (§4.4). One larger than the whole table leaves it empty.
    pub fn insert(&mut self, name: Vec<u8>, value: Vec<u8>) {
        let entry = Entry { name, value };
        let size = entry.size();
        self.evict_to(self.max_size.saturating_sub(size));
        if size <= self.max_size {
            self.size += size;
            self.entries.push_front(entry);
        }
    }

    /// Sets the bound (a size update, §4.3), evicting what is over it.
    pub fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size;
        self.evict_to(max_size);
    }

    /// Evicts the oldest entries until the size is at most `size`.
    fn evict_to(&mut self, size: usize) {
        while self.size > size {
            let Some(oldest) = self.entries.pop_back() else {
                break;
            };
            self.size -= oldest.size();
        }
    }

    /// Where `name` with `value` is, as an HPACK index: the newest entry
    /// with both, or else the newest with the name, and whether that
    /// one's value matched too.
    pub fn find(&self, name: &[u8], value: &[u8]) -> Option<(usize, bool)> {
        let mut by_name = None;
        for (i, entry) in self.entries.iter().enumerate() {
            if entry.name == name {
                let index = STATIC.len() + 1 + i;
                if entry.value == value {
                    return Some((index, true));
                }
                by_name.get_or_insert((index, false));
            }
        }
        by_name
    }
}

/// Where `name` with `value` is in the static table: the entry with both,
/// or else the first with the name, and whether that one's value matched.
pub fn find_static(name: &[u8], value: &[u8]) -> Option<(usize, bool)> {
    let mut by_name = None;
    for (i, &(n, v)) in STATIC.iter().enumerate() {
        if n.as_bytes() == name {
            if v.as_bytes() == value {
                return Some((i + 1, true));
            }
            by_name.get_or_insert((i + 1, false));
        }
    }
    by_name
}

/// The field at HPACK index `index`, in the static table or `dynamic`,
/// and whether it was a dynamic one.
pub fn lookup(dynamic: &DynamicTable, index: usize) -> Result<(&[u8], &[u8], bool), Error> {
    match index {
        0 => Err(Error::IndexZero),
        1..=61 => {
            let (name, value) = STATIC[index - 1];
            Ok((name.as_bytes(), value.as_bytes(), false))
        }
        _ => match dynamic.get(index) {
            Some(entry) => Ok((&entry.name, &entry.value, true)),
            None => Err(Error::BadIndex {
                index,
                dynamic_entries: dynamic.len(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_table() {
        assert_eq!(STATIC[1], (":method", "GET"));
        assert_eq!(STATIC[60], ("www-authenticate", ""));
        let table = DynamicTable::new(DEFAULT_SIZE);
        assert_eq!(lookup(&table, 2), Ok((&b":method"[..], &b"GET"[..], false)));
        assert_eq!(lookup(&table, 0), Err(Error::IndexZero));
        let past = Err(Error::BadIndex {
            index: 62,
            dynamic_entries: 0,
        });
        assert_eq!(lookup(&table, 62), past);
        assert_eq!(find_static(b":status", b"404"), Some((13, true)));
        assert_eq!(find_static(b":status", b"302"), Some((8, false)));
        assert_eq!(find_static(b"x-custom", b""), None);
    }

    #[test]
    fn insert_evicts_the_oldest() {
        // Entries of 32 + 2 = 34 bytes; 100 holds two.
        let mut table = DynamicTable::new(100);
        for name in [b"a", b"b", b"c"] {
            table.insert(name.to_vec(), b"1".to_vec());
        }
        let names: Vec<_> = table.entries().map(|e| e.name.clone()).collect();
        assert_eq!(names, [b"c".to_vec(), b"b".to_vec()]);
        assert_eq!(table.size(), 68);
        assert_eq!(table.get(62).unwrap().name, b"c");
        assert_eq!(table.find(b"b", b"1"), Some((63, true)));
        assert_eq!(table.find(b"b", b"2"), Some((63, false)));
        // Too large for the table: it empties it.
        table.insert(vec![b'x'; 80], Vec::new());
        assert!(table.is_empty());
        assert_eq!(table.size(), 0);
    }

    #[test]
    fn size_updates_evict() {
        let mut table = DynamicTable::new(100);
        table.insert(b"a".to_vec(), b"1".to_vec());
        table.insert(b"b".to_vec(), b"1".to_vec());
        table.set_max_size(40);
        assert_eq!(table.len(), 1);
        assert_eq!(table.get(62).unwrap().name, b"b");
        table.set_max_size(0);
        assert!(table.is_empty());
    }
}
