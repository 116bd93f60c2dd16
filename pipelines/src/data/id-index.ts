import { GrowableArray } from './growable.js';

// External ids below this go through a typed lookup table (MovieLens ids are < 300,000); larger
// ones through a Map, so one odd id cannot make the table huge.
const TABLE_LIMIT = 1 << 22;

/**
 * Maps external positive integer ids (MovieLens user and movie ids) to dense indices 0, 1, 2, …
 * in order of first appearance.
 */
export class IdIndex {
  private table = new Int32Array(1024).fill(-1);
  private readonly large = new Map<number, number>();
  private readonly ids = new GrowableArray(Int32Array);

  get size(): number {
    return this.ids.length;
  }

  /** The dense index of `id`, assigning the next one if `id` is new. */
  indexOf(id: number): number {
    if (id < TABLE_LIMIT) {
      if (id >= this.table.length) this.growTable(id);
      const known = this.table[id];
      if (known >= 0) return known;
      const index = this.ids.length;
      this.table[id] = index;
      this.ids.push(id);
      return index;
    }
    const known = this.large.get(id);
    if (known !== undefined) return known;
    const index = this.ids.length;
    this.large.set(id, index);
    this.ids.push(id);
    return index;
  }

  /** External ids in dense-index order; ends the index. */
  takeIds(): Int32Array {
    return this.ids.take();
  }

  private growTable(id: number): void {
    let length = this.table.length;
    while (length <= id) length *= 2;
    const grown = new Int32Array(Math.min(length, TABLE_LIMIT)).fill(-1);
    grown.set(this.table);
    this.table = grown;
  }
}
