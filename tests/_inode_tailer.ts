/**
 * A tailing shipper for the tests, following files by inode through renames the way Filebeat's
 * filestream, Vector's file source, Fluent Bit's tail and OpenTelemetry's filelog do: the paths
 * matching `FILE` and `FILE.<n>` are scanned, a new inode is read from offset 0, a known inode
 * from where its reading stopped (whatever its name now), bytes after the last newline wait for
 * the rest of their line, and an inode stays open until its link count is 0 (deleted: Fluent Bit's
 * test), so its number cannot be reused while it is followed. A listing races with renames and
 * may miss a file for one scan; such a file is found again by inode, never read twice.
 *
 * @module
 */

const NEWLINE = 0x0a;

interface Followed {
  file: Deno.FsFile;
  partial: Uint8Array;
}

/** Follows `path` and its rotated files by inode; {@link InodeTailer.poll} returns new lines. */
export class InodeTailer implements Disposable {
  readonly #dir: string;
  readonly #base: string;
  readonly #followed = new Map<string, Followed>();
  readonly #chunk = new Uint8Array(1 << 16);
  /** Files that left the paths with bytes after their last newline (a line cut forever). */
  cutFiles = 0;

  constructor(path: string) {
    const slash = path.lastIndexOf("/");
    this.#dir = path.slice(0, slash);
    this.#base = path.slice(slash + 1);
  }

  /** One scan: new inodes found, every followed inode read to its end; the whole lines read. */
  poll(): Uint8Array[] {
    const name = new RegExp(`^${this.#base.replace(/[.]/g, "\\.")}(\\.([0-9]+))?$`);
    const found: [string, number][] = [];
    for (const entry of Deno.readDirSync(this.#dir)) {
      const m = name.exec(entry.name);
      if (m !== null) found.push([entry.name, m[2] === undefined ? 0 : Number(m[2])]);
    }
    found.sort((a, b) => b[1] - a[1]); // oldest first, as shippers order rotated files
    for (const [entry] of found) {
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(`${this.#dir}/${entry}`);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue; // renamed or dropped since the listing
        throw e;
      }
      const info = file.statSync();
      const key = `${info.dev}:${info.ino}`;
      if (this.#followed.has(key)) file.close();
      else this.#followed.set(key, { file, partial: new Uint8Array(0) });
    }
    const lines: Uint8Array[] = [];
    for (const [key, f] of this.#followed) {
      this.#drain(f, lines);
      if (f.file.statSync().nlink === 0) {
        if (f.partial.length > 0) this.cutFiles++;
        f.file.close();
        this.#followed.delete(key);
      }
    }
    return lines;
  }

  /** Bytes held after the last newline, over every followed file. */
  get pendingBytes(): number {
    let n = 0;
    for (const f of this.#followed.values()) n += f.partial.length;
    return n;
  }

  #drain(f: Followed, lines: Uint8Array[]): void {
    for (;;) {
      const n = f.file.readSync(this.#chunk);
      if (n === null || n === 0) return;
      let data = this.#chunk.subarray(0, n);
      if (f.partial.length > 0) {
        const joined = new Uint8Array(f.partial.length + n);
        joined.set(f.partial);
        joined.set(data, f.partial.length);
        data = joined;
      }
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
        lines.push(data.slice(start, nl));
        start = nl + 1;
      }
      f.partial = data.slice(start);
    }
  }

  /** Close every followed file. */
  [Symbol.dispose](): void {
    for (const f of this.#followed.values()) f.file.close();
    this.#followed.clear();
  }
}

/** A numbered line that carries its own length check: `type=USER msg=audit(...:SEQ): ... pad=xxx`. */
export function numberedLine(seq: number, padding: number): string {
  return `type=USER msg=audit(1700000000.000:${seq}): pid=1 uid=0 auid=0 ses=1 msg='seq=${seq} ` +
    `len=${padding} pad=${"x".repeat(padding)}'\n`;
}

/** The sequence number of a line made by {@link numberedLine}, or -1 when the line is damaged. */
export function lineSeq(line: Uint8Array): number {
  const m = /^type=USER msg=audit\(1700000000\.000:(\d+)\): .* msg='seq=(\d+) len=(\d+) pad=(x*)'$/
    .exec(new TextDecoder().decode(line));
  if (m === null || m[1] !== m[2] || Number(m[3]) !== m[4].length) return -1;
  return Number(m[1]);
}
