import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { AuditLocation } from "../../../src/audit/index.ts";
// The verifier's own modules, not src/auditProof's index: the index also exports the proof
// builder and the event decoder, which pull ethers and @ethereumjs/mpt into the bundle
// (183 KB against 66 KB measured). These are the files test/auditProof/browserSafety walks.
import type { ProofVerifier } from "../../../src/auditProof/createProofVerifier.ts";
import type { TrustAnchor } from "../../../src/auditProof/TrustAnchor.ts";
import type { VerifiedLog } from "../../../src/auditProof/VerifiedLog.ts";
import { accessLedgerAbi } from "../../../src/contracts/index.ts";
import { isCustosError } from "../../../src/errors/index.ts";

/** What the dashboard says of one event of a query's trail. */
export type EventProofBadge =
  | { readonly status: "verified" }
  | { readonly status: "failed"; readonly link: string; readonly reason: string }
  | { readonly status: "unverified" };

/** A query's proof checked against the loaded trust anchor, and what that says of each event. */
export interface QueryProofCheck {
  /** `verified` only when the proof verifies and proves every event of the trail. */
  readonly status: "verified" | "failed" | "unverified";
  /** The first failing link (`AUDIT_PROOF_INVALID`'s `details.link`, or `log`). */
  readonly link?: string;
  readonly reason?: string;
  /** Per trail event, by {@link eventKey}. */
  readonly events: ReadonlyMap<string, EventProofBadge>;
}

/** A trail event's key: its block and block-wide log index. */
export function eventKey(at: Pick<AuditLocation, "blockNumber" | "logIndex">): string {
  return `${at.blockNumber}/${at.logIndex}`;
}

type AbiParam = { readonly type: string; readonly components?: readonly AbiParam[] };

/** The canonical type of an event input, tuples spelled out: what the signature hashes. */
function canonicalType(param: AbiParam): string {
  if (!param.type.startsWith("tuple")) return param.type;
  return `(${(param.components ?? []).map(canonicalType).join(",")})${param.type.slice(5)}`;
}

/** The signature topic of an event: keccak-256 of `Name(type,…)`. */
function eventTopic(name: string, inputs: readonly AbiParam[]): string {
  const signature = `${name}(${inputs.map(canonicalType).join(",")})`;
  return `0x${bytesToHex(keccak_256(utf8ToBytes(signature)))}`;
}

/** AccessLedger event names by their signature topic, from the contract's ABI. */
const accessLedgerEvents = new Map<string, string>();
for (const item of accessLedgerAbi) {
  if (item.type === "event") accessLedgerEvents.set(eventTopic(item.name, item.inputs), item.name);
}

/** Why a proven log is not the trail's event, or undefined when it is. */
function mismatch(
  log: VerifiedLog,
  entry: { readonly event: string; readonly at: AuditLocation },
  anchor: TrustAnchor,
  queryWord: string,
): string | undefined {
  if (log.transactionHash !== entry.at.txHash.toLowerCase()) return "another transaction";
  if (log.blockHash !== entry.at.blockHash.toLowerCase()) return "another block hash";
  if (log.blockTimestamp !== entry.at.blockTimestamp) return "another block time";
  if (anchor.contracts !== undefined && log.address !== anchor.contracts.accessLedger) {
    return "not the AccessLedger the genesis names";
  }
  if (accessLedgerEvents.get(log.topics[0] ?? "") !== entry.event) return "another event";
  if (log.topics[1] !== queryWord) return "another query";
  return undefined;
}

/**
 * Verifies a query's proof document against `anchor` (the genesis the user loaded) and says,
 * for each event of the node's trail, whether the proof shows it: `verified` when the proof
 * verifies and holds a log at the event's block and log index that is the same transaction,
 * block hash and time, emitted by the AccessLedger of the anchor's genesis, the same event
 * (its signature topic) and this query (its first indexed field); `failed` naming the first
 * failing link of the proof (all events), or `log` for an event the proof does not show;
 * `unverified` without an anchor. The event's other fields are the node's index's; the
 * downloaded proof decodes them offline (`custos audit verify`). Pure: the DOM-free part of
 * the trail view.
 *
 * @example
 * ```ts
 * const check = checkQueryProof(createProofVerifier(), proof, anchor, "7", trail.items);
 * check.events.get(eventKey(trail.items[0].at)); // { status: "verified" }
 * ```
 */
export function checkQueryProof(
  verifier: ProofVerifier,
  proof: unknown,
  anchor: TrustAnchor | undefined,
  queryId: string,
  entries: readonly { readonly event: string; readonly at: AuditLocation }[],
): QueryProofCheck {
  const all = (badge: EventProofBadge) => new Map(entries.map((e) => [eventKey(e.at), badge]));
  if (anchor === undefined) return { status: "unverified", events: all({ status: "unverified" }) };
  let logs: VerifiedLog[];
  try {
    logs = verifier.verify(proof, anchor);
  } catch (error) {
    const link =
      isCustosError(error) && typeof error.details.link === "string"
        ? error.details.link
        : isCustosError(error)
          ? error.code
          : "format";
    const reason = isCustosError(error)
      ? error.shortMessage
      : error instanceof Error
        ? error.message
        : String(error);
    return { status: "failed", link, reason, events: all({ status: "failed", link, reason }) };
  }
  const proven = new Map(logs.map((log) => [eventKey(log), log]));
  const queryWord = `0x${BigInt(queryId).toString(16).padStart(64, "0")}`;
  const events = new Map<string, EventProofBadge>();
  let failure: { link: string; reason: string } | undefined;
  for (const entry of entries) {
    const log = proven.get(eventKey(entry.at));
    const why =
      log === undefined ? "the proof holds no log here" : mismatch(log, entry, anchor, queryWord);
    if (why === undefined) {
      events.set(eventKey(entry.at), { status: "verified" });
    } else {
      const reason = `${entry.event} at block ${entry.at.blockNumber}, log ${entry.at.logIndex}: ${why}`;
      failure ??= { link: "log", reason };
      events.set(eventKey(entry.at), { status: "failed", link: "log", reason });
    }
  }
  return failure === undefined
    ? { status: "verified", events }
    : { status: "failed", ...failure, events };
}
