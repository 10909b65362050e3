//! Tables held as columns: each column's texts end to end in one buffer, so a million rows
//! cost a few allocations instead of one per cell. Filled by intake, read by linkage.

/// The texts of one column, stored end to end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    text: String,
    ends: Vec<u32>,
}

/// A column would pass 4 GiB of text; files that large are refused before reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("kolom melebihi 4 GiB teks")]
pub struct ColumnFull;

impl TextColumn {
    pub fn with_capacity(rows: usize, bytes: usize) -> TextColumn {
        TextColumn {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    pub fn push(&mut self, value: &str) -> Result<(), ColumnFull> {
        let end = u32::try_from(self.text.len() + value.len()).map_err(|_| ColumnFull)?;
        self.text.push_str(value);
        self.ends.push(end);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of row `row` (0-based). Panics past the end, like slice indexing.
    pub fn get(&self, row: usize) -> &str {
        let start = if row == 0 {
            0
        } else {
            self.ends[row - 1] as usize
        };
        &self.text[start..self.ends[row] as usize]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|r| self.get(r))
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &TextColumn) -> Result<(), ColumnFull> {
        u32::try_from(self.text.len() + other.text.len()).map_err(|_| ColumnFull)?;
        // Below the total, so it fits too.
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| e + base));
        Ok(())
    }

    /// Bytes of text held by all rows together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<'a> FromIterator<&'a str> for TextColumn {
    /// For tests and small tables; panics only past 4 GiB.
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> TextColumn {
        let mut c = TextColumn::default();
        for v in iter {
            c.push(v).expect("kolom kecil");
        }
        c
    }
}

/// A table read from a file: header names as written, one [`TextColumn`] per header, and the
/// file line each row started on (for messages that name the row).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub columns: Vec<TextColumn>,
    pub lines: Vec<u32>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Position of a column by name: exact first, then ignoring case and surrounding spaces.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name).or_else(|| {
            let want = name.trim().to_lowercase();
            self.header
                .iter()
                .position(|h| h.trim().to_lowercase() == want)
        })
    }

    pub fn column(&self, name: &str) -> Option<&TextColumn> {
        self.column_index(name).map(|i| &self.columns[i])
    }

    /// Builds a small table from rows of text (tests, fixtures); lines count from 2.
    pub fn from_rows(header: &[&str], rows: &[&[&str]]) -> Table {
        let columns = (0..header.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r.get(c).copied().unwrap_or(""))
                    .collect()
            })
            .collect();
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            columns,
            lines: (0..rows.len() as u32).map(|r| r + 2).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_each_cell_including_empty_ones() {
        let c: TextColumn = ["Siti", "", "Baiq Nur"].into_iter().collect();
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(0), "Siti");
        assert_eq!(c.get(1), "");
        assert_eq!(c.get(2), "Baiq Nur");
        assert_eq!(c.iter().collect::<Vec<_>>(), ["Siti", "", "Baiq Nur"]);
    }

    #[test]
    fn tables_find_columns_ignoring_case() {
        let t = Table::from_rows(&["id", " Nama "], &[&["1", "Ani"], &["2"]]);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.column("nama").unwrap().get(0), "Ani");
        assert_eq!(t.column("nama").unwrap().get(1), "");
        assert_eq!(t.column_index("kk"), None);
        assert_eq!(t.lines, [2, 3]);
    }
}
