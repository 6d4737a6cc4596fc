import { wireError } from "./wireError.ts";

/**
 * A strict cursor over one message: every read checks the bytes are there, and `end()`
 * refuses trailing bytes, so a decoder built on it accepts exactly one encoding per value.
 *
 * @example
 * ```ts
 * const reader = new ByteReader(payload);
 * const number = reader.u64();
 * const hash = reader.bytes(32);
 * reader.end();
 * ```
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#offset++);
  }

  u16(): number {
    this.#need(2);
    const value = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  u64(): bigint {
    this.#need(8);
    const value = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** The next `length` bytes, as a view into the message (no copy). */
  bytes(length: number): Uint8Array {
    this.#need(length);
    const slice = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }

  /** Refuses bytes left over after the last field. */
  end(): void {
    if (this.remaining !== 0) throw wireError("trailing-bytes", { trailing: this.remaining });
  }

  #need(length: number): void {
    if (this.remaining < length) {
      throw wireError("truncated", { needed: length, remaining: this.remaining });
    }
  }
}
