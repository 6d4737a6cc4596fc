/**
 * The exact bytecode the native ConsentRegistry paths were written for (solc 0.8.37,
 * optimizer 200 runs, evmVersion cancun; `artifacts/` as compiled from contracts/ at the time
 * of decision 014). A test recomputes every figure here from the compiled artifacts, so a
 * change to either contract (even to a comment: the metadata hash is part of the code) fails
 * it, and until the native paths are re-derived such code simply runs on the interpreter.
 */
export const acceleratedBytecode = {
  /** ConsentRegistry's runtime code. */
  registry: {
    /** Length in bytes. */
    length: 12_163,
    /**
     * keccak-256 of the runtime code with every immutable zeroed: the deployed code differs
     * from the artifact only there (the Consortium address, and EIP-712's cached chain id,
     * domain separator, own address, name and version hashes and short strings).
     */
    maskedHash: "80e4b9eec23c63e7a01acfc597ce01f60df7f82d5a4ef542bd8c01379b5876d4",
    /** Byte offset and length of every immutable in the runtime code. */
    immutables: [
      [725, 32],
      [2584, 32],
      [2792, 32],
      [3896, 32],
      [4641, 32],
      [4683, 32],
      [4725, 32],
      [4806, 32],
      [4846, 32],
      [5452, 32],
      [7178, 32],
      [7221, 32],
      [8908, 32],
    ] as readonly (readonly [number, number])[],
    /** Offsets of the 32-byte words holding the `_consortium` immutable (all equal). */
    consortiumAt: [725, 2584, 2792, 3896, 5452, 8908] as readonly number[],
  },
  /** keccak-256 of Consortium's runtime code (it has no immutables). */
  consortiumCodeHash: "d104ed8a0813c65d3af4cede297c26d74ce55fb9274e82cf02fb5b336f38d6b6",
} as const;
