/**
 * Whether a file's first bytes are those of a WebAssembly module, and if
 * not, what the file seems to be, in a sentence with the next step.
 *
 * @module
 */

const MAGIC = [0x00, 0x61, 0x73, 0x6d]; // \0asm
/** Version 1 of the module format. */
const MODULE_VERSION = [0x01, 0x00, 0x00, 0x00];
/** A component (the component model's layer 1), as wasm32-wasip2 builds are. */
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) =>
  prefix.every((byte, i) => bytes[at + i] === byte);

/**
 * Why `bytes` are not a WebAssembly module, as the rest of a sentence whose
 * subject is the file (`is not a WebAssembly module (it does not start with
 * \0asm); pass a .wasm file built for wasm32-wasip1`), or undefined if they
 * start as a module does (the rest is for the compiler to check).
 *
 * @param bytes The file's bytes.
 * @returns the problem with its next step, or undefined
 *
 * @example
 * ```ts ignore
 * headerProblem(new TextEncoder().encode("(module)")); // "is WebAssembly text, ..."
 * ```
 */
export function headerProblem(bytes: Uint8Array): string | undefined {
  const build = "pass a .wasm file built for wasm32-wasip1";
  if (bytes.length === 0) return `is empty, not a WebAssembly module; ${build}`;
  if (!startsWith(bytes, MAGIC)) {
    const text = new TextDecoder().decode(bytes.subarray(0, 256));
    // A .wat file: comments (;; line, (; block ;)) and then (module.
    if (/^\s*(?:(?:;;[^\n]*\n|\(;[\s\S]*?;\))\s*)*\((?:module|component)\b/.test(text)) {
      return `is WebAssembly text, not a binary module; convert it with wat2wasm, or ${build}`;
    }
    return `is not a WebAssembly module (it does not start with \\0asm); ${build}`;
  }
  if (startsWith(bytes, COMPONENT_VERSION, 4)) {
    return "is a WebAssembly component (as wasm32-wasip2 builds are), not a module; " +
      "build it for wasm32-wasip1";
  }
  if (bytes.length >= 8 && !startsWith(bytes, MODULE_VERSION, 4)) {
    const version = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    return `is a WebAssembly binary of version ${version}, not a version 1 module; ${build}`;
  }
  return undefined;
}
