import { bytesToHex } from "@ethereumjs/util";
import type { QbftHeaderInspection } from "../../../chain/index.ts";

/** An inspection, and the hash a node gave for the block when it came over JSON-RPC. */
export interface BlockInspection {
  readonly inspection: QbftHeaderInspection;
  /** The node's `hash` for the block (`--rpc`), to compare with the on-chain hash. */
  readonly rpcHash?: string | undefined;
}

/**
 * The inspection as plain JSON: hex strings for bytes, the number in decimal.
 *
 * @example
 * ```ts
 * io.stdout(`${JSON.stringify(inspectionJson({ inspection }), null, 2)}\n`);
 * ```
 */
export function inspectionJson({ inspection: i, rpcHash }: BlockInspection): object {
  return {
    number: i.number.toString(),
    hash: bytesToHex(i.onchainHash),
    commitSealHash: bytesToHex(i.commitSealHash),
    ...(rpcHash === undefined
      ? {}
      : { rpcHash, rpcHashMatches: rpcHash.toLowerCase() === bytesToHex(i.onchainHash) }),
    proposer: bytesToHex(i.proposer),
    proposerIsValidator: i.proposerIsValidator,
    validators: i.validators.map(bytesToHex),
    vote:
      i.vote === undefined ? null : { recipient: bytesToHex(i.vote.recipient), add: i.vote.add },
    round: i.round,
    seals: i.seals.map((s) => ({
      seal: bytesToHex(s.seal),
      committer: s.committer === undefined ? null : bytesToHex(s.committer),
      validator: s.validator,
      duplicate: s.duplicate,
    })),
    committers: i.committers,
    quorum: i.quorum,
    quorate: i.quorate,
  };
}

function line(label: string, value: string): string {
  return `${label.padEnd(17)} ${value}\n`;
}

/**
 * The inspection as aligned text, one fact a line, seals and validators indented below.
 *
 * @example
 * ```ts
 * io.stdout(inspectionText({ inspection, rpcHash }));
 * ```
 */
export function inspectionText({ inspection: i, rpcHash }: BlockInspection): string {
  const hash = bytesToHex(i.onchainHash);
  const vote =
    i.vote === undefined
      ? "none"
      : `${i.vote.add ? "add" : "drop"} ${bytesToHex(i.vote.recipient)}`;
  const seals = i.seals.map((s, index) => {
    const who =
      s.committer === undefined
        ? "recovers to no key"
        : `${bytesToHex(s.committer)}${s.validator ? "" : " (not a validator)"}${s.duplicate ? " (duplicate)" : ""}`;
    return `  ${index}  ${bytesToHex(s.seal)}\n     committer ${who}\n`;
  });
  return [
    line("number", i.number.toString()),
    line("hash", `${hash} (on-chain: round 0, no seals)`),
    ...(rpcHash === undefined
      ? []
      : [
          line(
            "rpc hash",
            `${rpcHash} (${rpcHash.toLowerCase() === hash ? "matches" : "DIFFERS"})`,
          ),
        ]),
    line("commit-seal hash", `${bytesToHex(i.commitSealHash)} (round ${i.round}, no seals)`),
    line(
      "proposer",
      `${bytesToHex(i.proposer)}${i.proposerIsValidator ? "" : " (not a validator)"}`,
    ),
    line("round", String(i.round)),
    line("vote", vote),
    line("validators", String(i.validators.length)),
    ...i.validators.map((v) => `  ${bytesToHex(v)}\n`),
    line("seals", String(i.seals.length)),
    ...seals,
    line(
      "quorum",
      `${i.committers} distinct validator committers, ${i.quorum} needed of ${i.validators.length}: ${i.quorate ? "yes" : "no"}`,
    ),
  ].join("");
}
