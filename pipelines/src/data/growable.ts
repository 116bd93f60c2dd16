type TypedArray = Int32Array | Float32Array | Float64Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

const CHUNK_LENGTH = 1 << 20;

/**
 * An append-only typed array that grows in fixed chunks, so a 25M-line file never holds one
 * object per line and growing never copies what is already stored. `take` copies once into an
 * array of the exact length and ends the builder.
 */
export class GrowableArray<T extends TypedArray> {
  private chunks: T[] = [];
  private current: T;
  private used = 0;
  private filled = 0;

  constructor(private readonly type: TypedArrayConstructor<T>) {
    this.current = new type(CHUNK_LENGTH);
    this.chunks.push(this.current);
  }

  get length(): number {
    return this.filled + this.used;
  }

  push(value: number): void {
    if (this.used === CHUNK_LENGTH) {
      // Off the hot path: only when a chunk is full.
      if (Number.isNaN(this.filled)) throw new Error('GrowableArray used after take()');
      this.filled += CHUNK_LENGTH;
      this.current = new this.type(CHUNK_LENGTH);
      this.chunks.push(this.current);
      this.used = 0;
    }
    this.current[this.used++] = value;
  }

  /** Copies the values into one array of exact length, releasing each chunk once copied. */
  take(): T {
    const out = new this.type(this.length);
    const chunks = this.chunks;
    this.chunks = [];
    let offset = 0;
    for (let c = 0; c < chunks.length; c++) {
      const count = Math.min(CHUNK_LENGTH, out.length - offset);
      (out as Float64Array).set((chunks[c] as Float64Array).subarray(0, count), offset);
      chunks[c] = undefined as unknown as T;
      offset += count;
    }
    this.used = CHUNK_LENGTH;
    this.filled = Number.NaN;
    return out;
  }
}
