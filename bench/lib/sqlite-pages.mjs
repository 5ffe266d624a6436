// Bytes per table and index of a SQLite file (what SQLite's dbstat reports, summed by name),
// read from the file format itself (https://www.sqlite.org/fileformat.html): each b-tree is
// walked from its root page, interior pages, leaves and overflow chains counted. Pages still
// in the write-ahead log (`-wal`, committed frames of its current generation) are read from
// there, as SQLite would. No sqlite library is needed, so the bench measures local D1 files
// anywhere Node runs.
import { existsSync, readFileSync } from "node:fs";

/** The latest committed copy of each page in the WAL, and the database size it commits. */
function walPages(file, pageSize) {
  const pages = new Map();
  if (!existsSync(`${file}-wal`)) return { pages, size: 0 };
  const wal = readFileSync(`${file}-wal`);
  if (wal.length < 32 || (wal.readUInt32BE(0) & 0xfffffffe) !== 0x377f0682) return { pages, size: 0 };
  if (wal.readUInt32BE(8) !== pageSize) throw new Error(`${file}-wal: another page size`);
  const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let pending = new Map();
  let size = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    pending.set(wal.readUInt32BE(at), at + 24);
    const committed = wal.readUInt32BE(at + 4);
    if (committed !== 0) {
      for (const [page, offset] of pending) pages.set(page, wal.subarray(offset, offset + pageSize));
      pending = new Map();
      size = committed;
    }
  }
  return { pages, size };
}

function varint(buf, at) {
  let value = 0n;
  for (let i = 0; i < 9; i++) {
    const byte = buf[at + i];
    if (i === 8) return { value: (value << 8n) | BigInt(byte), size: 9 };
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return { value, size: i + 1 };
  }
  throw new Error("bad varint");
}

/** { name: bytes } for every table and index, plus `(free)`; and the page size and count. */
export function sqliteBytesByName(file) {
  const main = readFileSync(file);
  if (main.toString("latin1", 0, 16) !== "SQLite format 3\u0000") throw new Error(`${file} is not a SQLite file`);
  const pageSize = main.readUInt16BE(16) === 1 ? 65536 : main.readUInt16BE(16);
  const wal = walPages(file, pageSize);
  // One buffer holding the database as it is with the WAL applied.
  const pageCount = wal.size || Math.floor(main.length / pageSize);
  const buf = Buffer.alloc(pageCount * pageSize);
  main.copy(buf, 0, 0, Math.min(main.length, buf.length));
  for (const [page, data] of wal.pages) if (page <= pageCount) data.copy(buf, (page - 1) * pageSize);
  const usable = pageSize - buf[20];
  const pageAt = (n) => (n - 1) * pageSize;
  const maxLocal = (leafTable) => (leafTable ? usable - 35 : Math.floor(((usable - 12) * 64) / 255) - 23);
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;

  /** Where a cell's payload ends on its page, and its first overflow page (0 if none). */
  function payload(at, total, leafTable) {
    const max = maxLocal(leafTable);
    if (total <= max) return { local: total, overflow: 0 };
    const k = minLocal + ((total - minLocal) % (usable - 4));
    const local = k <= max ? k : minLocal;
    return { local, overflow: buf.readUInt32BE(at + local) };
  }

  /** Pages of the b-tree rooted at `root` (with overflow chains); calls onRow for table leaf records. */
  function walk(root, onRecord) {
    let pages = 0;
    const stack = [root];
    while (stack.length > 0) {
      const page = stack.pop();
      pages++;
      const base = pageAt(page);
      const header = base + (page === 1 ? 100 : 0);
      const type = buf[header];
      const cells = buf.readUInt16BE(header + 3);
      const interior = type === 2 || type === 5;
      if (interior) stack.push(buf.readUInt32BE(header + 8));
      for (let c = 0; c < cells; c++) {
        let at = base + buf.readUInt16BE(header + (interior ? 12 : 8) + 2 * c);
        if (interior) {
          stack.push(buf.readUInt32BE(at));
          at += 4;
          if (type === 5) continue; // table interior cells hold only a rowid
        }
        const size = varint(buf, at);
        at += size.size;
        if (type === 13) at += varint(buf, at).size; // rowid
        const { local, overflow } = payload(at, Number(size.value), type === 13);
        if (type === 13 && onRecord) onRecord(buf.subarray(at, at + local));
        for (let next = overflow; next !== 0; next = buf.readUInt32BE(pageAt(next))) pages++;
      }
    }
    return pages;
  }

  // sqlite_schema (page 1): type, name, tbl_name, rootpage, sql.
  const roots = [];
  walk(1, (record) => {
    const headerSize = varint(record, 0);
    let at = headerSize.size;
    const types = [];
    while (at < Number(headerSize.value)) {
      const t = varint(record, at);
      types.push(Number(t.value));
      at += t.size;
    }
    const values = [];
    let body = Number(headerSize.value);
    for (const t of types.slice(0, 4)) {
      if (t >= 13 && t % 2 === 1) {
        const length = (t - 13) / 2;
        values.push(record.toString("utf8", body, body + length));
        body += length;
      } else {
        const length = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0][t] ?? 0;
        let n = 0;
        for (let i = 0; i < length; i++) n = n * 256 + record[body + i];
        values.push(t === 8 ? 0 : t === 9 ? 1 : n);
        body += length;
      }
    }
    const [, name, , rootpage] = values;
    if (typeof rootpage === "number" && rootpage > 0) roots.push({ name, rootpage });
  });
  const bytes = { sqlite_schema: walk(1) * pageSize };
  let used = bytes.sqlite_schema / pageSize;
  for (const { name, rootpage } of roots) {
    const pages = walk(rootpage);
    bytes[name] = pages * pageSize;
    used += pages;
  }
  bytes["(free)"] = (pageCount - used) * pageSize;
  return { pageSize, pageCount, bytes };
}
