/**
 * The hashing and signature recovery the consensus core needs, injected so the core stays
 * free of I/O and native modules, and so the simulator can run thousands of seeds with a
 * cheap deterministic stand-in. The node passes keccak-256 and secp256k1 recovery
 * (Ethereum addresses); every function must be pure and deterministic.
 */
export interface QbftCrypto {
  /** keccak-256 of `data`, 32 bytes. */
  keccak256(data: Uint8Array): Uint8Array;
  /**
   * The 20-byte address that signed `hash` with the 65-byte `signature` (r ‖ s ‖ recovery id
   * 0 or 1, as Besu writes it), or undefined when the signature is malformed or recovers to
   * nothing.
   */
  recoverAddress(hash: Uint8Array, signature: Uint8Array): Uint8Array | undefined;
}

/** A validator's signing key, as the core uses it. */
export interface QbftSigner {
  /** The validator's 20-byte address. */
  readonly address: Uint8Array;
  /** A 65-byte signature (r ‖ s ‖ recovery id 0 or 1) of the 32-byte `hash`; deterministic. */
  sign(hash: Uint8Array): Uint8Array;
}
