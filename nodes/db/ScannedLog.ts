/** A log of a block's stored receipts that matched, copied out of the stored bytes. */
export interface ScannedLog {
  readonly address: Uint8Array;
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
  readonly txHash: Uint8Array;
  readonly txIndex: number;
  /** Position of the log among all logs of its block. */
  readonly logIndex: number;
}
