/**
 * Execution gas of each native path, by parts: what every opcode on the path costs apart
 * from the first access of each account and slot (a constant of the bytecode, below), plus
 * the state-dependent costs the interpreter would charge (EIP-2929 cold or warm access,
 * EIP-2200 SSTORE against the slot's original value).
 *
 * The constants were read off step traces of EthereumJS 10.1.3 running the pinned bytecode
 * (`acceleratedBytecode`) at Cancun, as the sum of every step's static and dynamic gas
 * in ConsentRegistry's frame and, apart, in Consortium's, with the access-dependent parts
 * taken out: the record's SLOAD (the later SSTORE of the
 * same slot is then warm and pays no access), the STATICCALL's address access, the first
 * SLOAD of each of the two Consortium slots `isRecorder` reads (it reads each slot twice:
 * the second read is warm and part of the constant), and the SSTORE. The test
 * `registryGas.test.ts` traces the interpreter again and re-derives each constant.
 *
 * What varies with the input, beyond access and storage: `_checkTerms` evaluates
 * `validUntil <= validFrom` (three more calldata reads, each range-checked) only when
 * `validUntil` is not 0 ({@link registryGas.validUntilCheck}); a grant of a new subject runs
 * `_checkRecorder`, a grant after a revocation `_authorise` (4 gas apart); batchGrant's loop
 * costs the same per item. Memory is the same on every path (no size-dependent copies: the
 * calldata arrays are read in place).
 */
export const registryGas = {
  /** grant of a subject never granted (`_checkRecorder`). */
  grantNew: 7_761n,
  /** grant of a revoked subject by a recorder (`_authorise`, whose `isRecorder` answers yes). */
  grantAgain: 7_757n,
  /** revoke by a recorder. */
  revoke: 4_243n,
  /** batchGrant apart from its items. */
  batchGrant: 4_259n,
  /** One batchGrant item (two calldata words, the slot's keccak, status check, SSTORE and LOG4 base and data). */
  batchItem: 3_656n,
  /** `_checkTerms` when `validUntil` is not 0. */
  validUntilCheck: 344n,
  /** Consortium.isRecorder's execution when it answers yes, both slots read warm. */
  isRecorder: 1_165n,
} as const;

/** The EIP-2929 and EIP-2200 costs the native paths charge, from the chain's parameters. */
export interface AccessSchedule {
  readonly coldSlot: bigint;
  readonly coldAccount: bigint;
  readonly warmRead: bigint;
  /** SSTORE of a slot whose original (and current) value is zero. */
  readonly storeSet: bigint;
  /** SSTORE of a slot whose original (and current) value is not zero. */
  readonly storeReset: bigint;
}
