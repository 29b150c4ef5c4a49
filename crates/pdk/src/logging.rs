//! Log records on stderr: one line `LEVEL message` per record.

use std::fmt;
use std::io::Write;

/// The severity written at the start of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `DEBUG`
    Debug,
    /// `INFO`
    Info,
    /// `WARN`
    Warn,
    /// `ERROR`
    Error,
}

impl Level {
    /// The word written to stderr: `DEBUG`, `INFO`, `WARN` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Writes one log record to stderr as the line `LEVEL message`.
///
/// The record is written with a single `write` so records do not interleave.
/// To keep one line per record, line breaks inside `message` are written as
/// the two characters `\n` (and `\r` as `\r`). Write errors are ignored.
///
/// ```
/// use wasmi_plugin_pdk::{log, Level};
/// log(Level::Warn, format_args!("cache miss for {}", "key")); // stderr: WARN cache miss for key
/// ```
pub fn log(level: Level, message: impl fmt::Display) {
    let record = format_record(level, &message);
    let _ = std::io::stderr().lock().write_all(record.as_bytes());
}

/// [`log`] at [`Level::Debug`].
pub fn debug(message: impl fmt::Display) {
    log(Level::Debug, message);
}

/// [`log`] at [`Level::Info`].
pub fn info(message: impl fmt::Display) {
    log(Level::Info, message);
}

/// [`log`] at [`Level::Warn`].
pub fn warn(message: impl fmt::Display) {
    log(Level::Warn, message);
}

/// [`log`] at [`Level::Error`].
pub fn error(message: impl fmt::Display) {
    log(Level::Error, message);
}

pub(crate) fn format_record(level: Level, message: &dyn fmt::Display) -> String {
    let text = message.to_string();
    let mut record = String::with_capacity(level.as_str().len() + text.len() + 2);
    record.push_str(level.as_str());
    record.push(' ');
    for c in text.chars() {
        match c {
            '\n' => record.push_str("\\n"),
            '\r' => record.push_str("\\r"),
            c => record.push(c),
        }
    }
    record.push('\n');
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_record() {
        assert_eq!(format_record(Level::Info, &"hello"), "INFO hello\n");
        assert_eq!(
            format_record(Level::Warn, &"a\nb\r\n"),
            "WARN a\\nb\\r\\n\n"
        );
        assert_eq!(
            format_record(Level::Error, &format_args!("{}", 3)),
            "ERROR 3\n"
        );
        assert_eq!(format_record(Level::Debug, &""), "DEBUG \n");
    }
}
