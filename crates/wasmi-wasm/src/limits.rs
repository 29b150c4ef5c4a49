//! What a guest's tables may hold, the same for the V8 engine: the host has
//! the same numbers (src/executor/_instance_limits.ts), and its fault tests
//! check that both engines refuse alike.

use crate::start::{read_u32, sections};

/// Bytes the engine holds per table entry, counted against the guest's cap.
pub const TABLE_ENTRY_BYTES: u64 = 8;
/// Most entries one table may have, at instantiation or after growing.
pub const MAX_TABLE_ENTRIES: usize = 1 << 20;

const TABLE_SECTION: u8 = 4;

/// Why a module whose bytes these are cannot load because of a table's
/// initial size, if so (in the host's words). Tables it cannot read (an
/// initializer expression, 64-bit limits, malformed bytes) are left to the
/// engine's checks and to the limiter at instantiation.
pub fn table_problem(bytes: &[u8]) -> Option<String> {
    let sections = sections(bytes)?;
    let section = sections.iter().find(|s| s.id == TABLE_SECTION)?;
    let mut cursor = section.body.clone();
    let next = |cursor: &mut std::ops::Range<usize>| {
        let byte = *bytes
            .get(cursor.start)
            .filter(|_| cursor.start < cursor.end)?;
        cursor.start += 1;
        Some(byte)
    };
    for index in 0..read_u32(bytes, &mut cursor)? {
        let mut element = next(&mut cursor)?;
        let initializer = element == 0x40;
        if initializer {
            next(&mut cursor)?;
            element = next(&mut cursor)?;
        }
        if element == 0x63 || element == 0x64 {
            // A reference type with a heap type (an s33 LEB128) after it.
            while next(&mut cursor)? & 0x80 != 0 {}
        }
        let flags = next(&mut cursor)?;
        if flags & 0x04 != 0 {
            return None;
        }
        let initial = read_u32(bytes, &mut cursor)?;
        if initial as usize > MAX_TABLE_ENTRIES {
            return Some(format!(
                "Table {index} has {initial} initial entries, \
                 more than the {MAX_TABLE_ENTRIES} a table may have"
            ));
        }
        if flags & 0x01 != 0 {
            read_u32(bytes, &mut cursor)?;
        }
        if initializer {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(wat: &str) -> Vec<u8> {
        wat::parse_str(wat).unwrap()
    }

    #[test]
    fn tables_up_to_the_cap_pass() {
        let bytes = module("(module (table 16 funcref) (table 1048576 2000000 externref))");
        assert_eq!(table_problem(&bytes), None);
    }

    #[test]
    fn a_table_over_the_cap_is_named() {
        let bytes = module("(module (table 1 funcref) (table 1048577 funcref))");
        assert_eq!(
            table_problem(&bytes).as_deref(),
            Some("Table 1 has 1048577 initial entries, more than the 1048576 a table may have")
        );
    }

    #[test]
    fn modules_without_tables_or_unreadable_ones_pass() {
        assert_eq!(table_problem(&module("(module)")), None);
        assert_eq!(table_problem(b"\0asm\x01\0\0\0\x04\x05\x01"), None);
    }
}
