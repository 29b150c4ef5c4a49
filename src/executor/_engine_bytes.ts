/**
 * Decoding of the embedded engine bytes.
 *
 * @module
 */

/** Decodes gzip-compressed, base64-encoded bytes. */
export async function decodeEngine(base64: string): Promise<Uint8Array<ArrayBuffer>> {
  const gzipped = fromBase64(base64);
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> })
    .fromBase64;
  if (native !== undefined) return native(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
