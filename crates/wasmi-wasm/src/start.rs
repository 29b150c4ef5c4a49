//! The module's start function, moved out of instantiation.
//!
//! Wasmi runs a start function inside `Instance::new`, where it can be
//! neither suspended nor sliced: a start function that loops would block the
//! host's event loop outside every limit. So before compiling, the start
//! section is removed and the same function is exported under
//! [`START_EXPORT`]; the guest calls that export first, resumably, under the
//! same fuel slices as `_start`. Nothing else in the module changes.

/// The name under which a module's start function is exported. A module that
/// already exports this name keeps its start section (and fails to compile:
/// duplicate export names are invalid).
pub const START_EXPORT: &str = "\u{0}wasmi-plugins:start";

const EXPORT_SECTION: u8 = 7;
const START_SECTION: u8 = 8;
const FUNC_KIND: u8 = 0;

/// Returns the module with its start section turned into an export, or
/// `None` if it has no start section or cannot be parsed (then the engine
/// compiles the original bytes and reports any error itself).
pub fn export_start(bytes: &[u8]) -> Option<Vec<u8>> {
    let sections = sections(bytes)?;
    let mut starts = sections.iter().filter(|s| s.id == START_SECTION);
    let start = starts.next()?;
    if starts.next().is_some() {
        return None;
    }
    let mut cursor = start.body.clone();
    let func = read_u32(bytes, &mut cursor)?;
    if cursor.start != cursor.end {
        return None;
    }
    let mut entry = Vec::new();
    write_u32(&mut entry, START_EXPORT.len() as u32);
    entry.extend_from_slice(START_EXPORT.as_bytes());
    entry.push(FUNC_KIND);
    write_u32(&mut entry, func);

    let mut out = Vec::with_capacity(bytes.len() + entry.len() + 8);
    out.extend_from_slice(&bytes[..8]);
    let exports = sections.iter().position(|s| s.id == EXPORT_SECTION);
    for section in &sections {
        if section.id == EXPORT_SECTION {
            let mut cursor = section.body.clone();
            let count = read_u32(bytes, &mut cursor)?.checked_add(1)?;
            let mut body = Vec::with_capacity(section.body.len() + entry.len() + 5);
            write_u32(&mut body, count);
            body.extend_from_slice(&bytes[cursor]);
            body.extend_from_slice(&entry);
            push_section(&mut out, EXPORT_SECTION, &body);
        } else if section.id == START_SECTION {
            // The export section comes right before the start section; a
            // module without one gets it where the start section was.
            if exports.is_none() {
                let mut body = Vec::with_capacity(entry.len() + 1);
                write_u32(&mut body, 1);
                body.extend_from_slice(&entry);
                push_section(&mut out, EXPORT_SECTION, &body);
            }
        } else {
            out.extend_from_slice(&bytes[section.whole.clone()]);
        }
    }
    Some(out)
}

pub(crate) struct Section {
    pub(crate) id: u8,
    /// The whole section: id, size and body.
    pub(crate) whole: std::ops::Range<usize>,
    pub(crate) body: std::ops::Range<usize>,
}

pub(crate) fn sections(bytes: &[u8]) -> Option<Vec<Section>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    let mut sections = Vec::new();
    let mut cursor = 8..bytes.len();
    while cursor.start < cursor.end {
        let begin = cursor.start;
        let id = bytes[begin];
        cursor.start += 1;
        let size = read_u32(bytes, &mut cursor)? as usize;
        let end = cursor
            .start
            .checked_add(size)
            .filter(|&end| end <= bytes.len())?;
        sections.push(Section {
            id,
            whole: begin..end,
            body: cursor.start..end,
        });
        cursor.start = end;
    }
    Some(sections)
}

pub(crate) fn read_u32(bytes: &[u8], cursor: &mut std::ops::Range<usize>) -> Option<u32> {
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        if cursor.start >= cursor.end {
            return None;
        }
        let byte = bytes[cursor.start];
        cursor.start += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(value).ok();
        }
    }
    None
}

pub(crate) fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn push_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_u32(out, body.len() as u32);
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (module (func $f) (start $f)) — type, function, start and code sections.
    const START_ONLY: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
        1, 4, 1, 0x60, 0, 0, // type: () -> ()
        3, 2, 1, 0, // function: one of type 0
        8, 1, 0, // start: function 0
        10, 4, 1, 2, 0, 0x0b, // code: one empty body
    ];

    #[test]
    fn a_module_without_start_is_left_alone() {
        let mut bytes = START_ONLY.to_vec();
        bytes.drain(18..21);
        assert!(export_start(&bytes).is_none());
    }

    #[test]
    fn the_start_section_becomes_an_export() {
        let out = export_start(START_ONLY).unwrap();
        let ids: Vec<u8> = sections(&out).unwrap().iter().map(|s| s.id).collect();
        assert_eq!(ids, [1, 3, EXPORT_SECTION, 10]);
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &out).unwrap();
        let names: Vec<&str> = module.exports().map(|e| e.name()).collect();
        assert_eq!(names, [START_EXPORT]);
    }

    #[test]
    fn an_existing_export_section_gains_one_entry() {
        // (export "f" (func 0)) before the start section.
        let mut bytes = START_ONLY[..18].to_vec();
        bytes.extend_from_slice(&[7, 5, 1, 1, b'f', 0, 0]);
        bytes.extend_from_slice(&START_ONLY[18..]);
        let out = export_start(&bytes).unwrap();
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &out).unwrap();
        let mut names: Vec<&str> = module.exports().map(|e| e.name()).collect();
        names.sort_unstable();
        assert_eq!(names, [START_EXPORT, "f"]);
    }

    #[test]
    fn truncated_modules_are_left_to_the_engine() {
        assert!(export_start(&START_ONLY[..16]).is_none());
        assert!(export_start(b"\0asm").is_none());
    }
}
