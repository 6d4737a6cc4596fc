import type { TypedTransaction } from "@ethereumjs/tx";
import type { TxFees } from "./txFees.ts";

/** A pooled transaction with the facts the pool orders and caps by, computed once at admission. */
export interface PoolEntry {
  /** The transaction as admitted. */
  readonly tx: TypedTransaction;
  /** Transaction hash. */
  readonly hash: Uint8Array;
  /** Lower-case 0x hex of the hash (map key). */
  readonly hashHex: string;
  /** Lower-case 0x hex of the sender address (map key). */
  readonly senderHex: string;
  /** Sender nonce. */
  readonly nonce: bigint;
  /** Gas limit. */
  readonly gasLimit: bigint;
  /** Fee caps. */
  readonly fees: TxFees;
  /** Most the transaction can cost the sender: gasLimit * feeCap + value. */
  readonly cost: bigint;
  /** Encoded size in bytes. */
  readonly size: number;
  /** Admission order, the deterministic tie-breaker between equal prices. */
  readonly seq: number;
  /** Admission time in milliseconds (injected clock), for the queued lifetime. */
  readonly addedAt: number;
  /** Executable now: part of the contiguous nonce run starting at the account nonce. */
  pending: boolean;
}
