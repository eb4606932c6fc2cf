//! Bytes → text: UTF-8 with an optional BOM, any line ending.

/// The decoded text with `\n` line endings, and the 1-based line of the first
/// byte sequence that is not UTF-8, if any. Invalid bytes become U+FFFD so the
/// rest of the document can still be checked.
pub struct Decoded {
    pub text: String,
    pub invalid_utf8_line: Option<usize>,
}

pub fn decode(bytes: &[u8]) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, invalid_utf8_line) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), None),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            (String::from_utf8_lossy(bytes).into_owned(), Some(line))
        }
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Decoded {
        text,
        invalid_utf8_line,
    }
}

/// Byte offsets of line starts, for turning parser offsets into positions.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_accepted() {
        let d = decode(b"\xEF\xBB\xBF---\r\ntitle: x\r\n---\r\n");
        assert_eq!(d.text, "---\ntitle: x\n---\n");
        assert_eq!(d.invalid_utf8_line, None);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let d = decode(b"a\nb\nc\xFF\n");
        assert_eq!(d.invalid_utf8_line, Some(3));
        assert!(d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn positions_are_one_based_characters() {
        let text = "ab\n↔cd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 3 + '↔'.len_utf8()), (2, 2));
    }
}
