/**
 * What a compiled module imports and exports, as engines describe it.
 *
 * @module
 */

/** The kind of an import or export. */
export type ExternKind = "func" | "memory" | "table" | "global";

/** One export of a module. */
export interface ModuleExport {
  /** The export's name. */
  name: string;
  /** What is exported. */
  kind: ExternKind;
  /** Parameter types of a function. */
  params?: string[];
  /** Result types of a function. */
  results?: string[];
  /** Initial pages of a memory. */
  minimum?: number;
  /** Maximum pages of a memory. */
  maximum?: number;
}

/** One import of a module: a name in a module, with the same details as an export. */
export interface ModuleImport extends ModuleExport {
  /** The import's module name, e.g. `wasi_snapshot_preview1`. */
  module: string;
}
