//! The JSON-RPC envelope of a request line, read without QuickJS: the fast
//! path of [`crate::serve`] takes `id`, `method` and the raw text of `params`
//! from it, so that a call enters JavaScript only to run its handler.
//!
//! [`Envelope::read`] accepts only the plain case, in which its reading
//! agrees with the prelude's (`JSON.parse`, then `dispatch`): one object
//! that is valid JSON, `"jsonrpc": "2.0"`, a method name and member names
//! without escapes, an id that is a safe integer or a string without
//! escapes (written back as it came, which is then what `JSON.stringify`
//! writes), and no member given twice. Anything else (`None`) goes to the
//! prelude, which answers it as before.

/// The most arrays and objects nested in one another the scanner follows;
/// deeper lines go to the prelude.
const MAX_DEPTH: u32 = 128;

/// The digits of the longest integer id read here: 15 are always a safe
/// integer (below 2^53), and `JSON.stringify` writes them back the same.
const MAX_ID_DIGITS: usize = 15;

/// A request's parts, borrowed from its line.
#[derive(Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The id as written (an integer or a string with its quotes).
    pub id: &'a str,
    /// The method's name (it has no escapes).
    pub method: &'a str,
    /// The raw JSON text of `params`, if given.
    pub params: Option<&'a str>,
}

impl<'a> Envelope<'a> {
    /// Reads a request with an id from `line`; `None` when it is not the
    /// plain case (see the module docs).
    pub fn read(line: &'a str) -> Option<Self> {
        let mut scan = Scanner {
            text: line.as_bytes(),
            at: 0,
        };
        let (mut jsonrpc, mut id, mut method, mut params) = (None, None, None, None);
        scan.skip_ws();
        scan.eat(b'{')?;
        scan.skip_ws();
        if scan.peek() != Some(b'}') {
            loop {
                scan.skip_ws();
                let key = scan.plain_string()?;
                scan.skip_ws();
                scan.eat(b':')?;
                scan.skip_ws();
                let start = scan.at;
                scan.value(1)?;
                let value = &line[start..scan.at];
                let mut other = None;
                let slot = match key {
                    "jsonrpc" => &mut jsonrpc,
                    "id" => &mut id,
                    "method" => &mut method,
                    "params" => &mut params,
                    _ => &mut other,
                };
                // A member given twice: the prelude keeps the last one.
                if slot.replace(value).is_some() {
                    return None;
                }
                scan.skip_ws();
                match scan.next()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return None,
                }
            }
        } else {
            scan.at += 1;
        }
        scan.skip_ws();
        if scan.at != line.len() || jsonrpc? != "\"2.0\"" {
            return None;
        }
        let id = id?;
        if !plain_id(id) {
            return None;
        }
        let method = method?;
        let method = method.strip_prefix('"')?.strip_suffix('"')?;
        if method.contains('\\') {
            return None;
        }
        Some(Envelope { id, method, params })
    }
}

/// Whether `id` is written back by `JSON.stringify` exactly as it came.
fn plain_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    match bytes.first() {
        Some(b'"') => !id.contains('\\'),
        Some(_) => {
            let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
            !digits.is_empty()
                && digits.len() <= MAX_ID_DIGITS
                && digits.iter().all(u8::is_ascii_digit)
                && (digits[0] != b'0' || digits.len() == 1)
                && id != "-0"
        }
        None => false,
    }
}

/// A validating JSON scanner over one line.
struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string without escapes, as its contents.
    fn plain_string(&mut self) -> Option<&'a str> {
        let start = self.at + 1;
        if !self.string()? {
            return None;
        }
        // The text is a `str` and the quotes are ASCII.
        std::str::from_utf8(&self.text[start..self.at - 1]).ok()
    }

    /// Skips a valid string; `Some(true)` when it had no escapes.
    fn string(&mut self) -> Option<bool> {
        self.eat(b'"')?;
        let mut plain = true;
        loop {
            match self.next()? {
                b'"' => return Some(plain),
                b'\\' => {
                    plain = false;
                    match self.next()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                if !self.next()?.is_ascii_hexdigit() {
                                    return None;
                                }
                            }
                        }
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => {}
            }
        }
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else {
            self.digits()?;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Skips one valid value nested `depth` deep.
    fn value(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'[' => self.sequence(b']', depth, |_| Some(())),
            b'{' => self.sequence(b'}', depth, |scan| {
                scan.string()?;
                scan.skip_ws();
                scan.eat(b':')?;
                scan.skip_ws();
                Some(())
            }),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// Skips an array or object: `head` reads what precedes each value.
    fn sequence(
        &mut self,
        close: u8,
        depth: u32,
        head: impl Fn(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.at += 1;
            return Some(());
        }
        loop {
            self.skip_ws();
            head(self)?;
            self.value(depth + 1)?;
            self.skip_ws();
            match self.next()? {
                b',' => {}
                c if c == close => return Some(()),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Option<(&str, &str, Option<&str>)> {
        Envelope::read(line).map(|e| (e.id, e.method, e.params))
    }

    #[test]
    fn reads_a_plain_request() {
        assert_eq!(
            read(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            Some(("1", "ping", None))
        );
        assert_eq!(
            read(
                r#" { "params" : [1, {"a": [true, null]}], "method": "add", "id": "x-1", "jsonrpc": "2.0" } "#
            ),
            Some((r#""x-1""#, "add", Some(r#"[1, {"a": [true, null]}]"#)))
        );
        assert_eq!(
            read(
                r#"{"jsonrpc":"2.0","id":-7,"method":"m","params":{"k":"\u00e9\n"},"extra":1.5e-3}"#
            ),
            Some(("-7", "m", Some(r#"{"k":"\u00e9\n"}"#)))
        );
    }

    #[test]
    fn leaves_other_requests_to_the_prelude() {
        for line in [
            "",
            "[]",
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            // A notification, and responses.
            r#"{"jsonrpc":"2.0","method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":2}"#,
            // Not 2.0, or no method.
            r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
            r#"{"id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":2}"#,
            // Ids JSON.stringify would write differently, or that are not ids.
            r#"{"jsonrpc":"2.0","id":1.0,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1e3,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1234567890123456,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":"\u0041","method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
            // Escapes in names.
            r#"{"jsonrpc":"2.0","id":1,"method":"p\u0069ng"}"#,
            r#"{"jsonrpc":"2.0","\u0069d":1,"method":"ping"}"#,
            // A member twice.
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","method":"pong"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":1,"params":2}"#,
            // Not JSON.
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,]}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":01}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"a	b"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"\x"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":tru}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping""#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping",}"#,
        ] {
            assert_eq!(read(line), None, "{line}");
        }
    }

    #[test]
    fn leaves_deep_nesting_to_the_prelude() {
        let deep = |n: usize| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{}{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        assert!(read(&deep(100)).is_some());
        assert_eq!(read(&deep(10_000)), None);
    }
}
