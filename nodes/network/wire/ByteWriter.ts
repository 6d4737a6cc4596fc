/**
 * A fixed-size big-endian writer for the encoders (the counterpart of `ByteReader`).
 *
 * @example
 * ```ts
 * const writer = new ByteWriter(40);
 * writer.u64(number);
 * writer.bytes(hash);
 * const payload = writer.done();
 * ```
 */
export class ByteWriter {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(length: number) {
    this.#bytes = new Uint8Array(length);
    this.#view = new DataView(this.#bytes.buffer);
  }

  u8(value: number): void {
    this.#view.setUint8(this.#offset, value);
    this.#offset += 1;
  }

  u16(value: number): void {
    this.#view.setUint16(this.#offset, value);
    this.#offset += 2;
  }

  u32(value: number): void {
    this.#view.setUint32(this.#offset, value);
    this.#offset += 4;
  }

  u64(value: bigint): void {
    this.#view.setBigUint64(this.#offset, value);
    this.#offset += 8;
  }

  bytes(value: Uint8Array): void {
    this.#bytes.set(value, this.#offset);
    this.#offset += value.length;
  }

  /** The encoded bytes; the writer must have been filled exactly. */
  done(): Uint8Array {
    if (this.#offset !== this.#bytes.length) {
      throw new RangeError(`encoder wrote ${this.#offset} of ${this.#bytes.length} bytes`);
    }
    return this.#bytes;
  }
}
