// A small JSON reader and writer for AssemblyScript (no exceptions, no
// closures: AssemblyScript has neither).
//
// `parse` is a strict RFC 8259 recursive-descent parser over a decoded
// string: objects, arrays, strings with every escape (\uXXXX code units go
// into the string as they are, so surrogate pairs come out right), numbers
// (the JSON grammar; kept as text, as an f64, and as an i64 when integral
// and in range), true, false and null; nesting is limited to MAX_DEPTH; text
// after the value is an error. It returns null on an error, with the reason
// in `parseError`. `JSONValue.stringify` writes compact JSON: strings escape
// '"', '\', control characters and lone surrogates (as JavaScript's
// JSON.stringify does), numbers keep their text, and `JSONValue.raw` values
// are written as they are.

export const MAX_DEPTH = 128;

export enum JSONKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
  /** JSON text written as it is (see `JSONValue.raw`); `parse` never makes one. */
  Raw,
}

/** Any JSON value; `kind` says which fields mean something. */
export class JSONValue {
  kind: JSONKind = JSONKind.Null;
  /** Bool: the value. */
  bool: bool = false;
  /** Number: the value. */
  num: f64 = 0;
  /** Number: whether it is written without fraction or exponent and fits an i64. */
  isInteger: bool = false;
  /** Number: the value when `isInteger`. */
  int: i64 = 0;
  /** String: the value. Number, Raw: its JSON text. */
  text: string = "";
  /** Array: the items. Object: the member values. */
  items: JSONValue[] = [];
  /** Object: the member names (parallel to `items`). */
  keys: string[] = [];

  static null(): JSONValue {
    return new JSONValue();
  }

  static fromBool(value: bool): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Bool;
    v.bool = value;
    return v;
  }

  static fromString(value: string): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.String;
    v.text = value;
    return v;
  }

  static fromInteger(value: i64): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Number;
    v.num = <f64> value;
    v.int = value;
    v.isInteger = true;
    v.text = value.toString();
    return v;
  }

  /**
   * JSON text the caller vouches for (a constant document, say), written
   * out by `stringify` as it is. It must be one line: a line break would end
   * the message early.
   */
  static raw(json: string): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Raw;
    v.text = json;
    return v;
  }

  static array(items: JSONValue[]): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Array;
    v.items = items;
    return v;
  }

  static object(): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Object;
    return v;
  }

  /** An object's member (the last one if the name repeats), or null. */
  get(key: string): JSONValue | null {
    if (this.kind != JSONKind.Object) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

  /** Adds a member to an object. */
  set(key: string, value: JSONValue): JSONValue {
    this.keys.push(key);
    this.items.push(value);
    return this;
  }

  isString(): bool {
    return this.kind == JSONKind.String;
  }

  stringify(): string {
    const parts: string[] = [];
    writeValue(parts, this);
    return parts.join("");
  }
}

/** The reason the last `parse` failed. */
export let parseError = "";

/** Parses JSON text; null on an error (see `parseError`). */
export function parse(text: string): JSONValue | null {
  const parser = new Parser(text);
  const value = parser.value(0);
  if (value === null) {
    parseError = parser.error;
    return null;
  }
  parser.skipSpace();
  if (parser.pos != text.length) {
    parseError = "unexpected text after the value";
    return null;
  }
  return value;
}

/** Appends `s` as a JSON string literal. */
export function writeString(parts: string[], s: string): void {
  parts.push('"');
  let run = 0; // index of the first character not yet copied
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escape: string | null = null;
    if (c == 0x22) escape = '\\"';
    else if (c == 0x5c) escape = "\\\\";
    else if (c == 0x0a) escape = "\\n";
    else if (c == 0x0d) escape = "\\r";
    else if (c == 0x09) escape = "\\t";
    else if (c == 0x08) escape = "\\b";
    else if (c == 0x0c) escape = "\\f";
    else if (c < 0x20) escape = "\\u" + hex4(c);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a pair: copied as it is
      } else {
        escape = "\\u" + hex4(c);
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) escape = "\\u" + hex4(c);
    if (escape !== null) {
      if (i > run) parts.push(s.substring(run, i));
      parts.push(escape);
      run = i + 1;
    }
  }
  if (s.length > run) parts.push(s.substring(run));
  parts.push('"');
}

function hex4(c: i32): string {
  const digits = "0123456789abcdef";
  return (
    digits.charAt((c >> 12) & 15) +
    digits.charAt((c >> 8) & 15) +
    digits.charAt((c >> 4) & 15) +
    digits.charAt(c & 15)
  );
}

function writeValue(parts: string[], v: JSONValue): void {
  switch (v.kind) {
    case JSONKind.Null:
      parts.push("null");
      break;
    case JSONKind.Bool:
      parts.push(v.bool ? "true" : "false");
      break;
    case JSONKind.Number:
    case JSONKind.Raw:
      parts.push(v.text);
      break;
    case JSONKind.String:
      writeString(parts, v.text);
      break;
    case JSONKind.Array:
      parts.push("[");
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) parts.push(",");
        writeValue(parts, v.items[i]);
      }
      parts.push("]");
      break;
    case JSONKind.Object:
      parts.push("{");
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) parts.push(",");
        writeString(parts, v.keys[i]);
        parts.push(":");
        writeValue(parts, v.items[i]);
      }
      parts.push("}");
      break;
  }
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

class Parser {
  pos: i32 = 0;
  error: string = "";

  constructor(public text: string) {}

  fail(message: string): JSONValue | null {
    if (this.error == "") this.error = message;
    return null;
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpace(): void {
    while (true) {
      const c = this.peek();
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return;
      this.pos++;
    }
  }

  value(depth: i32): JSONValue | null {
    this.skipSpace();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      return s === null ? null : JSONValue.fromString(s);
    }
    if (c == 0x2d || isDigit(c)) return this.number();
    if (this.literal("true")) return JSONValue.fromBool(true);
    if (this.literal("false")) return JSONValue.fromBool(false);
    if (this.literal("null")) return JSONValue.null();
    return this.fail(
      c < 0 ? "unexpected end of input" : "unexpected character",
    );
  }

  literal(word: string): bool {
    if (this.text.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  digits(): bool {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    return this.pos > start;
  }

  number(): JSONValue | null {
    const start = this.pos;
    let integral = true;
    if (this.peek() == 0x2d) this.pos++;
    if (this.peek() == 0x30) this.pos++;
    else if (!this.digits()) return this.fail("invalid number");
    if (this.peek() == 0x2e) {
      this.pos++;
      integral = false;
      if (!this.digits()) return this.fail("invalid number");
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++;
      integral = false;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      if (!this.digits()) return this.fail("invalid number");
    }
    const v = new JSONValue();
    v.kind = JSONKind.Number;
    v.text = this.text.substring(start, this.pos);
    v.num = parseFloat(v.text);
    if (integral) {
      // Accumulate negatively: i64's range is one larger below zero.
      const negative = v.text.charCodeAt(0) == 0x2d;
      let value: i64 = 0;
      let fits = true;
      for (let i = negative ? 1 : 0; i < v.text.length; i++) {
        const digit = <i64> (v.text.charCodeAt(i) - 0x30);
        if (value < (i64.MIN_VALUE + digit) / 10) {
          fits = false;
          break;
        }
        value = value * 10 - digit;
      }
      if (fits && !negative && value == i64.MIN_VALUE) fits = false;
      v.isInteger = fits;
      v.int = fits ? (negative ? value : -value) : 0;
    }
    return v;
  }

  /** A string literal at `pos` (which is at '"'); null on an error. */
  string(): string | null {
    this.pos++; // opening quote
    const parts: string[] = [];
    while (true) {
      const start = this.pos;
      let c = this.peek();
      while (c >= 0x20 && c != 0x22 && c != 0x5c) {
        this.pos++;
        c = this.peek();
      }
      if (this.pos > start) parts.push(this.text.substring(start, this.pos));
      if (c < 0) {
        this.fail("unterminated string");
        return null;
      }
      this.pos++;
      if (c == 0x22) return parts.join("");
      if (c != 0x5c) {
        this.fail("control character in string");
        return null;
      }
      const e = this.peek();
      this.pos++;
      if (e == 0x22) parts.push('"');
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        let unit = 0;
        for (let i = 0; i < 4; i++) {
          const d = hexDigit(this.peek());
          if (d < 0) {
            this.fail("invalid \\u escape");
            return null;
          }
          unit = (unit << 4) | d;
          this.pos++;
        }
        parts.push(String.fromCharCode(unit));
      } else {
        this.fail("invalid escape in string");
        return null;
      }
    }
  }

  array(depth: i32): JSONValue | null {
    if (depth >= MAX_DEPTH) return this.fail("nested too deeply");
    this.pos++; // '['
    const v = JSONValue.array([]);
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      return v;
    }
    while (true) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return v;
      if (c != 0x2c) return this.fail("expected ',' or ']'");
    }
  }

  object(depth: i32): JSONValue | null {
    if (depth >= MAX_DEPTH) return this.fail("nested too deeply");
    this.pos++; // '{'
    const v = JSONValue.object();
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return v;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail("expected a string key");
      const key = this.string();
      if (key === null) return null;
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.set(key, item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return v;
      if (c != 0x2c) return this.fail("expected ',' or '}'");
    }
  }
}
