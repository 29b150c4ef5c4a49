/**
 * The WASI preview1 subset guests get, independent of what executes them:
 * the functions ({@linkcode WasiPreview1}), the guest's stdio
 * ({@linkcode InputPipe}, {@linkcode OutputPipe}) and the memory interface
 * an executor provides ({@linkcode GuestMemory}).
 *
 * @example Give a guest's stdin some input
 * ```ts
 * import { InputPipe } from "@wasmi-plugins/host/wasi";
 * const stdin = new InputPipe();
 * const writer = stdin.writable.getWriter();
 * await writer.write(new TextEncoder().encode("input"));
 * await writer.close();
 * ```
 *
 * @module
 */

export { Errno } from "./errno.ts";
export type { Files } from "./files.ts";
export { filesFromDirectory, type FilesFromDirectoryOptions } from "./files_from_directory.ts";
export { type GuestMemory, WebAssemblyMemory } from "./guest_memory.ts";
export { InputPipe, type InputPipeOptions } from "./input_pipe.ts";
export { OutputPipe, type OutputPipeOptions } from "./output_pipe.ts";
export {
  PREVIEW1_SIGNATURES,
  PREVIEW1_SUPPORT,
  type Preview1Support,
  type TerminalStreams,
  type WasiFunction,
  WasiPreview1,
  type WasiPreview1Options,
} from "./preview1.ts";
export { ProcessExit } from "./process_exit.ts";
