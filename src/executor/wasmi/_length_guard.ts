/**
 * A guard in front of the engine's parser. Wasmi 2.0's parser, built for
 * wasm32, adds a length read from the module to its position without an
 * overflow check: a section, body or segment length near 2^32 makes the
 * engine panic, which poisons the engine for every module and guest in the
 * process. Such lengths only appear in 5-byte LEB128s whose last byte is
 * 0x0f; modules that contain one are checked by the platform's own
 * validator first.
 *
 * @module
 */

/**
 * Throws `WebAssembly.CompileError` if `bytes` may overflow the engine's
 * parser and are not a valid module.
 *
 * @param bytes The module's bytes.
 */
export function rejectOverflowingLengths(bytes: Uint8Array): void {
  if (!mayOverflow(bytes)) return;
  const source = bytes as Uint8Array<ArrayBuffer>;
  if (WebAssembly.validate(source)) return;
  let message = "invalid module";
  try {
    new WebAssembly.Module(source);
  } catch (error) {
    message = (error as Error).message.replace(/^WebAssembly\.Module\(\): /, "");
  }
  throw new WebAssembly.CompileError(message);
}

/** True if some u32 LEB128 in `bytes` could be ≥ 2^32 - bytes.length. */
function mayOverflow(bytes: Uint8Array): boolean {
  // Values ≥ 0xF000_0000 end in 0x0f after four continuation bytes; longer
  // modules lower the threshold, so check them all.
  if (bytes.length >= 0x1000_0000) return true;
  for (let i = bytes.indexOf(0x0f, 4); i !== -1; i = bytes.indexOf(0x0f, i + 1)) {
    if (bytes[i - 1]! & bytes[i - 2]! & bytes[i - 3]! & bytes[i - 4]! & 0x80) return true;
  }
  return false;
}
