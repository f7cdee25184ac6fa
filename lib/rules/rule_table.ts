/**
 * The rules a rule file has put in the kernel so far, remembered compactly
 * for the duplicate check: a 128-bit hash of each rule's identity, the line
 * that added it and its key, in typed arrays (about 40 bytes a rule plus its
 * key), so that a check keeps neither the rules' bytes nor their text.
 *
 * @module
 */

/** A 128-bit hash: four 32-bit lanes. */
export type RuleHash = Int32Array;

/** Per lane: two odd multipliers and a seed, so that the lanes mix differently. */
const LANES = new Int32Array([
  0x9e3779b1,
  0x85ebca77,
  0x27d4eb2f,
  0xc2b2ae3d,
  0x165667b1,
  0x7feb352d,
  0x846ca68b,
  0x2c1b3c6d,
  0x297a2d39,
  0xcc9e2d51,
  0x1b873593,
  0x68e31da4,
]);

/**
 * Hashes a sequence of 32-bit words into 128 bits: `add` each word, then
 * `finish`. Not cryptographic: a caller that must not confuse two rules
 * confirms a match with the rules themselves.
 */
export class WordHasher {
  readonly #h = new Int32Array(4);
  #count = 0;

  /** Starts a new hash. */
  reset(): this {
    for (let lane = 0; lane < 4; lane++) this.#h[lane] = LANES[lane * 3 + 2];
    this.#count = 0;
    return this;
  }

  /** Adds one 32-bit word. */
  add(word: number): void {
    this.#count++;
    for (let lane = 0; lane < 4; lane++) {
      let k = Math.imul(word + lane, LANES[lane * 3]);
      k = (k << 15) | (k >>> 17);
      let h = this.#h[lane] ^ Math.imul(k, LANES[lane * 3 + 1]);
      h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64 | 0;
      this.#h[lane] = h;
    }
  }

  /** Writes the hash of the words added since `reset` into `into`. */
  finish(into: RuleHash = new Int32Array(4)): RuleHash {
    for (let lane = 0; lane < 4; lane++) {
      let h = this.#h[lane] ^ this.#count;
      h ^= h >>> 16;
      h = Math.imul(h, LANES[lane * 3]);
      h ^= h >>> 13;
      h = Math.imul(h, LANES[lane * 3 + 1]);
      into[lane] = h ^ (h >>> 16);
    }
    return into;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = -1;
const GONE = -2;

/**
 * A multiset of rules by hash: each entry holds the line that added the rule
 * and the rule's key. Entries with equal hashes may coexist (a caller that
 * keeps the rules tells them apart with its `same` test).
 */
export class RuleTable {
  #hash = new Int32Array(64);
  #line = new Uint32Array(16);
  #keyAt = new Uint32Array(16);
  #keyLength = new Uint32Array(16);
  #keys = new Uint8Array(256);
  #keysUsed = 0;
  #used = 0;
  #live = 0;
  #index = new Int32Array(32).fill(EMPTY);
  /** The key stored last, where its bytes start and how many there are. */
  #lastKey = "";
  #lastKeyAt = 0;
  #lastKeyLength = 0;

  /** How many rules the table holds. */
  get size(): number {
    return this.#live;
  }

  /** The bytes of the table's arrays: what it retains, whatever the rules' size. */
  get retainedBytes(): number {
    return this.#hash.byteLength + this.#line.byteLength + this.#keyAt.byteLength +
      this.#keyLength.byteLength + this.#keys.byteLength + this.#index.byteLength;
  }

  /** The line of the first entry with this hash that `same` accepts (all, without it). */
  find(hash: RuleHash, same?: (line: number) => boolean): number | undefined {
    const at = this.#slot(hash, same);
    return at < 0 ? undefined : this.#line[this.#index[at]];
  }

  /** Adds a rule: its hash, the line that added it and its key ("" for none). */
  add(hash: RuleHash, line: number, key: string): void {
    if (this.#used === this.#line.length) this.#rebuild(this.#live * 2 > this.#used);
    const e = this.#used++;
    this.#hash.set(hash, e * 4);
    this.#line[e] = line;
    this.#storeKey(key);
    this.#keyAt[e] = this.#lastKeyAt;
    this.#keyLength[e] = this.#lastKeyLength;
    this.#place(e);
    this.#live++;
  }

  /** Removes the first entry with this hash that `same` accepts; whether there was one. */
  delete(hash: RuleHash, same?: (line: number) => boolean): boolean {
    const at = this.#slot(hash, same);
    if (at < 0) return false;
    this.#line[this.#index[at]] = 0;
    this.#index[at] = GONE;
    this.#live--;
    return true;
  }

  /** Removes every entry whose key contains `key` (`-D -k key`), or every entry without it. */
  deleteByKey(key?: string): void {
    if (!key) {
      const fresh = new RuleTable();
      this.#hash = fresh.#hash;
      this.#line = fresh.#line;
      this.#keyAt = fresh.#keyAt;
      this.#keyLength = fresh.#keyLength;
      this.#keys = fresh.#keys;
      this.#index = fresh.#index;
      this.#keysUsed = this.#used = this.#live = 0;
      this.#lastKey = "";
      this.#lastKeyAt = this.#lastKeyLength = 0;
      return;
    }
    for (let e = 0; e < this.#used; e++) {
      if (this.#line[e] === 0) continue;
      if (!this.#keyOf(e).includes(key)) continue;
      this.#line[e] = 0;
      this.#live--;
    }
    this.#rebuild(false);
  }

  #keyOf(e: number): string {
    return decoder.decode(
      this.#keys.subarray(this.#keyAt[e], this.#keyAt[e] + this.#keyLength[e]),
    );
  }

  /** Stores a key as UTF-8 (the key just before is not stored again): see #lastKeyAt. */
  #storeKey(key: string): void {
    if (key === this.#lastKey) return;
    const most = key.length * 3;
    if (this.#keysUsed + most > this.#keys.length) {
      let size = this.#keys.length * 2;
      while (size < this.#keysUsed + most) size *= 2;
      const keys = new Uint8Array(size);
      keys.set(this.#keys.subarray(0, this.#keysUsed));
      this.#keys = keys;
    }
    const at = this.#keysUsed;
    this.#lastKeyLength = encoder.encodeInto(key, this.#keys.subarray(at)).written;
    this.#keysUsed += this.#lastKeyLength;
    this.#lastKey = key;
    this.#lastKeyAt = at;
  }

  /** The index slot of the first matching entry, or -1. */
  #slot(hash: RuleHash, same?: (line: number) => boolean): number {
    const mask = this.#index.length - 1;
    for (let at = hash[0] & mask;; at = (at + 1) & mask) {
      const e = this.#index[at];
      if (e === EMPTY) return -1;
      if (e === GONE) continue;
      const h = e * 4;
      if (
        this.#hash[h] === hash[0] && this.#hash[h + 1] === hash[1] &&
        this.#hash[h + 2] === hash[2] && this.#hash[h + 3] === hash[3] &&
        (!same || same(this.#line[e]))
      ) return at;
    }
  }

  #place(e: number): void {
    const mask = this.#index.length - 1;
    let at = this.#hash[e * 4] & mask;
    while (this.#index[at] !== EMPTY) at = (at + 1) & mask;
    this.#index[at] = e;
  }

  /**
   * Drops removed entries and their keys, and doubles the entry arrays when
   * `grow` (the live entries fill more than half of them); the index is kept
   * at least twice the entries, so that a probe ends soon.
   */
  #rebuild(grow: boolean): void {
    const capacity = grow ? this.#line.length * 2 : this.#line.length;
    const hash = new Int32Array(capacity * 4);
    const line = new Uint32Array(capacity);
    const keyAt = new Uint32Array(capacity);
    const keyLength = new Uint32Array(capacity);
    const oldKeys = this.#keys.subarray(0, this.#keysUsed);
    this.#keys = new Uint8Array(this.#keys.length);
    this.#keysUsed = 0;
    this.#lastKey = "";
    this.#lastKeyAt = this.#lastKeyLength = 0;
    let n = 0;
    let lastFrom = -1;
    for (let e = 0; e < this.#used; e++) {
      if (this.#line[e] === 0) continue;
      hash.set(this.#hash.subarray(e * 4, e * 4 + 4), n * 4);
      line[n] = this.#line[e];
      keyLength[n] = this.#keyLength[e];
      const from = this.#keyAt[e];
      if (from === lastFrom && keyLength[n] === keyLength[n - 1]) keyAt[n] = keyAt[n - 1];
      else {
        keyAt[n] = this.#keysUsed;
        this.#keys.set(oldKeys.subarray(from, from + keyLength[n]), this.#keysUsed);
        this.#keysUsed += keyLength[n];
        lastFrom = from;
      }
      n++;
    }
    this.#hash = hash;
    this.#line = line;
    this.#keyAt = keyAt;
    this.#keyLength = keyLength;
    this.#used = this.#live = n;
    this.#index = new Int32Array(capacity * 2).fill(EMPTY);
    for (let e = 0; e < n; e++) this.#place(e);
  }
}
