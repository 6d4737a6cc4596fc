import { keccak_256 } from "@noble/hashes/sha3.js";
import type { ReceiptLog } from "./decodeReceipt.ts";
import { bytesToHex, equalBytes } from "./hexBytes.ts";
import type { FailLink } from "./proofInvalid.ts";

/**
 * topic0 of Consortium's `ValidatorSetScheduled(uint64 indexed fromBlock, address[] validators)`.
 *
 * @example
 * ```ts
 * bytesToHex(VALIDATOR_SET_SCHEDULED_TOPIC); // "0x…"
 * ```
 */
export const VALIDATOR_SET_SCHEDULED_TOPIC = keccak_256(
  new TextEncoder().encode("ValidatorSetScheduled(uint64,address[])"),
);

/** A validator-set change: the set in force from `fromBlock` on. */
export interface ScheduledValidatorSet {
  readonly fromBlock: number;
  /** Lowercase hex, ascending, each once. */
  readonly validators: readonly string[];
}

function word(data: Uint8Array, index: number): Uint8Array {
  return data.subarray(32 * index, 32 * index + 32);
}

/** A 32-byte ABI word as a safe integer, or undefined when it is above 2^53. */
function wordInteger(bytes: Uint8Array): number | undefined {
  if (bytes.subarray(0, 25).some((b) => b !== 0)) return undefined;
  const value = bytes.subarray(25).reduce((sum, b) => sum * 256 + b, 0);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Decodes a `ValidatorSetScheduled` log of the Consortium at `consortium`, requiring its
 * exact canonical ABI encoding (topic0, the uint64 `fromBlock` topic, data of one offset,
 * one length and the left-padded addresses) and a non-empty set of distinct addresses.
 *
 * @throws through `fail` (link validatorSet) when the log is anything else.
 * @example
 * ```ts
 * const { fromBlock, validators } = decodeValidatorSetScheduled(log, consortium, fail);
 * ```
 */
export function decodeValidatorSetScheduled(
  log: ReceiptLog,
  consortium: Uint8Array,
  fail: FailLink,
): ScheduledValidatorSet {
  if (!equalBytes(log.address, consortium)) {
    return fail(`a change log is emitted by ${bytesToHex(log.address)}, not the Consortium`);
  }
  const [topic0, topic1] = log.topics;
  if (
    log.topics.length !== 2 ||
    !equalBytes(topic0 as Uint8Array, VALIDATOR_SET_SCHEDULED_TOPIC) ||
    topic1 === undefined
  ) {
    return fail("a change log is not ValidatorSetScheduled(uint64,address[])");
  }
  const fromBlock = wordInteger(topic1);
  if (fromBlock === undefined || topic1.subarray(0, 24).some((b) => b !== 0)) {
    return fail("a change log's fromBlock is not a uint64");
  }
  const { data } = log;
  const count = data.length >= 64 ? wordInteger(word(data, 1)) : undefined;
  if (
    data.length < 64 ||
    wordInteger(word(data, 0)) !== 32 ||
    count === undefined ||
    data.length !== 64 + 32 * count
  ) {
    return fail("a change log's data is not one ABI-encoded address[]");
  }
  if (count === 0) return fail("a change log schedules an empty validator set");
  const validators: string[] = [];
  for (let i = 0; i < count; i++) {
    const slot = word(data, 2 + i);
    if (slot.subarray(0, 12).some((b) => b !== 0)) {
      return fail(`a change log's validator ${i} is not a left-padded address`);
    }
    validators.push(bytesToHex(slot.subarray(12)));
  }
  validators.sort();
  if (validators.some((v, i) => i > 0 && v === validators[i - 1])) {
    fail("a change log lists a validator twice");
  }
  return { fromBlock, validators };
}
