//! GPT-2's byte-to-unicode table, used by Hugging Face `tokenizer.json` (and genlab's native
//! file) to write arbitrary byte strings as printable text: printable Latin-1 bytes stand for
//! themselves, the other 68 bytes map to U+0100.. in order (so a space is written `Ġ`).

use std::sync::OnceLock;

struct Table {
    to_char: [char; 256],
    /// Indexed by code point for U+0000..U+0144; `u16::MAX` where no byte maps.
    to_byte: Vec<u16>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let mut to_char = ['\0'; 256];
        let mut next = 256u32;
        for b in 0..=255u8 {
            let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
            let code = if printable {
                b as u32
            } else {
                next += 1;
                next - 1
            };
            to_char[b as usize] = char::from_u32(code).unwrap_or('\0');
        }
        let mut to_byte = vec![u16::MAX; next as usize];
        for (b, c) in to_char.iter().enumerate() {
            to_byte[*c as usize] = b as u16;
        }
        Table { to_char, to_byte }
    })
}

/// Writes bytes as a byte-level string.
///
/// ```
/// assert_eq!(genlab_tokenizer::bytelevel::encode(b" the\n"), "\u{120}the\u{10a}");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let t = table();
    bytes.iter().map(|&b| t.to_char[b as usize]).collect()
}

/// Reads a byte-level string back into bytes; `None` if it holds a character outside the table.
///
/// ```
/// assert_eq!(genlab_tokenizer::bytelevel::decode("Ġthe").unwrap(), b" the");
/// assert!(genlab_tokenizer::bytelevel::decode("€").is_none());
/// ```
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let t = table();
    s.chars()
        .map(|c| match t.to_byte.get(c as usize) {
            Some(&b) if b != u16::MAX => Some(b as u8),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_bytes_round_trip() {
        let all: Vec<u8> = (0..=255).collect();
        let s = super::encode(&all);
        assert_eq!(s.chars().count(), 256);
        assert_eq!(super::decode(&s).unwrap(), all);
    }
}
