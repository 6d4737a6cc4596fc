import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import type { StatusMessage } from "./wire/statusMessage.ts";

/** The first field on which two statuses disagree, with both values printable. */
export interface StatusMismatch {
  readonly field: "protocolVersion" | "chainId" | "genesisHash";
  readonly ours: string;
  readonly theirs: string;
}

/**
 * Compares a peer's status with ours: the same protocol version, chain id and genesis hash,
 * or the first difference (heads may differ; that is what sync is for).
 *
 * @example
 * ```ts
 * const mismatch = statusMismatch(ours, theirs);
 * if (mismatch) log.warn({ peerId, ...mismatch }, "peer refused: status mismatch");
 * ```
 */
export function statusMismatch(
  ours: StatusMessage,
  theirs: StatusMessage,
): StatusMismatch | undefined {
  if (ours.protocolVersion !== theirs.protocolVersion) {
    return {
      field: "protocolVersion",
      ours: String(ours.protocolVersion),
      theirs: String(theirs.protocolVersion),
    };
  }
  if (ours.chainId !== theirs.chainId) {
    return { field: "chainId", ours: ours.chainId.toString(), theirs: theirs.chainId.toString() };
  }
  if (!equalsBytes(ours.genesisHash, theirs.genesisHash)) {
    return {
      field: "genesisHash",
      ours: bytesToHex(ours.genesisHash),
      theirs: bytesToHex(theirs.genesisHash),
    };
  }
  return undefined;
}
