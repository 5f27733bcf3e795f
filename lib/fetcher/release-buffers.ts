// A fetched mail's bytes are garbage once its batch is written, hashed and its headers read. But each mail has an
// ArrayBuffer of its own whose wrapper has usually lived through a young-generation collection by then, and V8
// frees a promoted buffer's memory only at the next full collection, which external memory triggers only after
// some 64 MB more: measured, 2,000 mails of 26 KB kept ~55 MB of dead bodies alive and pushed the fetcher's peak
// RSS past its target. Handing each buffer's memory to a new (young) ArrayBuffer lets the next, cheap young-
// generation collection free it; the old one is left empty (detached).

/**
 * Releases the memory of buffers no one reads again. Only a buffer that spans its whole ArrayBuffer is released
 * (not a view into a larger one, nor a small Buffer from Node's shared pool); others are left to the collector.
 * The caller guarantees that neither these buffers nor any view into them is read afterwards: they read as empty.
 */
export function releaseBuffers(buffers: readonly Buffer[]): number {
  let released = 0;
  for (const buffer of buffers) {
    const memory = buffer.buffer;
    if (buffer.byteOffset !== 0 || memory.byteLength !== buffer.byteLength || memory.byteLength === 0) continue;
    if (!(memory instanceof ArrayBuffer)) continue;
    try {
      structuredClone(memory, { transfer: [memory] });
      released++;
    } catch {
      // Not transferable (marked so by its owner): the collector frees it in its own time.
    }
  }
  return released;
}
