/**
 * HyperLogLog sketches: how many distinct install ids a set of days held, in a few bytes to
 * 4 KiB per set instead of one row per install and day. 4,096 registers (precision 12) and a
 * 64-bit hash; the cardinality is read with Ertl's improved estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", 2017), which needs no bias tables and keeps
 * the relative standard error near 1.04 / √4096 ≈ 1.6 % from one id to billions. Sets with
 * few ids are close to exact: each id then has its own register.
 *
 * Sketches merge by taking each register's maximum, so the sketch of a range of days is the
 * merge of its days' sketches, and adding an id twice changes nothing.
 */

import { murmur3 } from "./hash";

export const HLL_PRECISION = 12;
const REGISTERS = 1 << HLL_PRECISION;
/** Hash bits left after the register index; a register holds 0 (empty) to Q + 1. */
const Q = 64 - HLL_PRECISION;
/** The relative standard error of an estimate. */
export const HLL_RELATIVE_ERROR = 1.04 / Math.sqrt(REGISTERS);

const SPARSE = 1;
const DENSE = 2;

export class Sketch {
  readonly registers: Uint8Array;

  constructor(registers = new Uint8Array(REGISTERS)) {
    if (registers.length !== REGISTERS) throw new Error(`a sketch has ${REGISTERS} registers`);
    this.registers = registers;
  }

  /** Adds one id (an install id: a string). */
  add(id: string): void {
    const high = murmur3(id, 0x9747b28c);
    const low = murmur3(id, 0x5bd1e995);
    const index = high >>> (32 - HLL_PRECISION);
    // The Q bits after the index: the low 20 bits of `high`, then the 32 bits of `low`.
    const rest = high & ((1 << (32 - HLL_PRECISION)) - 1);
    const rank =
      rest !== 0 ? Math.clz32(rest) - HLL_PRECISION + 1 : low !== 0 ? 32 - HLL_PRECISION + Math.clz32(low) + 1 : Q + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** The sketch of `key` in `sketches`, an empty one added when there is none. */
  static of<K>(sketches: Map<K, Sketch>, key: K): Sketch {
    let sketch = sketches.get(key);
    if (!sketch) {
      sketch = new Sketch();
      sketches.set(key, sketch);
    }
    return sketch;
  }

  /** Takes in every id of `other`. */
  merge(other: Sketch): this {
    const registers = this.registers;
    other.registers.forEach((value, i) => {
      if (value > (registers[i] as number)) registers[i] = value;
    });
    return this;
  }

  /** The estimated number of distinct ids added. */
  estimate(): number {
    const histogram = new Array<number>(Q + 2).fill(0);
    for (const value of this.registers) histogram[value] = (histogram[value] as number) + 1;
    const m = REGISTERS;
    let z = m * tau(1 - (histogram[Q + 1] as number) / m);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
    z += m * sigma((histogram[0] as number) / m);
    return Math.round((m * m) / (2 * Math.LN2 * z));
  }

  /** The stored form: the non-empty registers (3 bytes each) while that is shorter, else all of them. */
  encode(): Uint8Array {
    let used = 0;
    for (const value of this.registers) if (value !== 0) used++;
    if (used * 3 >= REGISTERS) {
      const out = new Uint8Array(REGISTERS + 1);
      out[0] = DENSE;
      out.set(this.registers, 1);
      return out;
    }
    const out = new Uint8Array(1 + used * 3);
    out[0] = SPARSE;
    let at = 1;
    this.registers.forEach((value, i) => {
      if (value === 0) return;
      out[at] = i >> 8;
      out[at + 1] = i & 0xff;
      out[at + 2] = value;
      at += 3;
    });
    return out;
  }

  static decode(bytes: Uint8Array): Sketch {
    if (bytes[0] === DENSE && bytes.length === REGISTERS + 1) return new Sketch(bytes.slice(1));
    if (bytes[0] !== SPARSE || (bytes.length - 1) % 3 !== 0) throw new Error("not a sketch");
    const registers = new Uint8Array(REGISTERS);
    for (let at = 1; at < bytes.length; at += 3) {
      const index = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      if (index >= REGISTERS) throw new Error("not a sketch");
      registers[index] = bytes[at + 2] as number;
    }
    return new Sketch(registers);
  }
}

/** σ and τ of Ertl's estimator: the contributions of empty and saturated registers. */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z !== previous);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (z !== previous);
  return z / 3;
}
