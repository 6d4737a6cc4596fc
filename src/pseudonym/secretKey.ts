/**
 * Key bytes live only in this module-private map, never on the key object itself: no
 * enumerable property, JSON form or inspection can reach them.
 */
const material = new WeakMap<object, Uint8Array>();

/**
 * Base of every pseudonym key object. It redacts itself in `String()`, `JSON.stringify` and
 * `util.inspect`, so a key passed to a logger or an error's details prints only its id.
 */
export class SecretKey {
  /** Non-secret label of the key, safe to log (e.g. "master/v1", "project:trial-7/v1"). */
  readonly keyId: string;

  constructor(keyId: string, bytes: Uint8Array) {
    this.keyId = keyId;
    material.set(this, Uint8Array.from(bytes));
  }

  toString(): string {
    return `[redacted key ${this.keyId}]`;
  }

  toJSON(): { keyId: string; redacted: true } {
    return { keyId: this.keyId, redacted: true };
  }

  // Node's util.inspect hook, by its registered symbol so the SDK needs no node: import.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** The bytes of a key created by this module; internal to src/pseudonym (not exported). */
export function secretBytes(key: SecretKey): Uint8Array {
  const bytes = material.get(key);
  if (bytes === undefined) throw new TypeError("not a Custos pseudonym key");
  return bytes;
}
