/**
 * Protobuf's binary encoding written by hand, for tests that send Teleport-shaped requests built
 * from field numbers alone: no generated code and no protobuf library, so a test built on them
 * does not only agree with edgehog's own .proto. Enough of the format for Teleport's messages:
 * varints, 64-bit fixed values, and length-delimited bytes, strings and messages.
 */

export type Field = Uint8Array;

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const key = (field: number, wireType: number) => varint(BigInt((field << 3) | wireType));

/** A varint field (int32, int64, uint64, bool, enum); negative int32s take ten bytes, as protobuf writes them. */
export function int(field: number, value: number | bigint): Field {
  return Uint8Array.from([...key(field, 0), ...varint(BigInt(value))]);
}

/** A length-delimited field from raw bytes. */
export function bytes(field: number, value: Uint8Array): Field {
  return Uint8Array.from([...key(field, 2), ...varint(BigInt(value.length)), ...value]);
}

export function str(field: number, value: string): Field {
  return bytes(field, new TextEncoder().encode(value));
}

/** A nested message (or the top-level body, with `field` undefined). */
export function msg(field: number | undefined, ...fields: Field[]): Field {
  const body = concat(fields);
  return field === undefined ? body : bytes(field, body);
}

/** A packed repeated fixed64 (proto3's default for repeated scalars). */
export function packedFixed64(field: number, values: bigint[]): Field {
  const body = new Uint8Array(values.length * 8);
  const view = new DataView(body.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(i * 8, v, true);
  return bytes(field, body);
}

/** google.protobuf.Timestamp / Duration: seconds (1) and nanos (2). */
export function time(field: number, ms: number): Field {
  return msg(field, int(1, Math.floor(ms / 1000)), int(2, (ms % 1000) * 1_000_000));
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A UUID's 16 bytes. */
export function uuidBytes(uuid: string): Uint8Array {
  return Uint8Array.from(uuid.replace(/-/g, "").match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** A standard-base64 digest's 32 bytes. */
export function digestBytes(digest: string): Uint8Array {
  return Uint8Array.from(atob(digest), (c) => c.charCodeAt(0));
}
