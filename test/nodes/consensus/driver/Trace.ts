import {
  decodeQbftMessage,
  type QbftBlockCodec,
  type QbftCrypto,
  type QbftMessage,
  type QbftSigningRecord,
} from "../../../../nodes/consensus/core/index.ts";

/** One thing that happened, in the order it happened. */
export type TraceEntry =
  | { readonly kind: "saved"; readonly node: string; readonly record: QbftSigningRecord }
  | { readonly kind: "sent"; readonly node: string; readonly bytes: Uint8Array };

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? "-" : Buffer.from(bytes).toString("hex");
}

/** Whether `record` names `message` as signed (the record that makes sending it safe). */
function names(record: QbftSigningRecord, message: QbftMessage): boolean {
  const payload = message.signed.payload;
  if (record.height !== payload.height || record.round !== payload.round) return false;
  switch (payload.type) {
    case "proposal":
      return hex(record.proposal) === hex(payload.block.digest);
    case "prepare":
      return hex(record.prepare) === hex(payload.digest);
    case "commit":
      return hex(record.commit) === hex(payload.digest);
    case "roundChange":
      return (
        record.roundChange !== undefined &&
        record.roundChange.prepared?.round === payload.prepared?.round &&
        hex(record.roundChange.prepared?.digest) === hex(payload.prepared?.digest)
      );
  }
}

/**
 * The order of durable saves and sends across every node of a test network, and the two
 * safety checks made on it.
 *
 * @example
 * ```ts
 * expect(trace.conflictingSignatures(codec, crypto)).toEqual([]);
 * ```
 */
export class Trace {
  readonly entries: TraceEntry[] = [];

  saved(node: string, record: QbftSigningRecord): void {
    this.entries.push({ kind: "saved", node, record });
  }

  sent(node: string, bytes: Uint8Array): void {
    this.entries.push({ kind: "sent", node, bytes });
  }

  #decodedSends(codec: QbftBlockCodec, crypto: QbftCrypto) {
    const out: { index: number; node: string; message: QbftMessage; author: string }[] = [];
    this.entries.forEach((entry, index) => {
      if (entry.kind !== "sent") return;
      const decoded = decodeQbftMessage(entry.bytes, codec, crypto);
      if (!decoded.ok) throw new Error(`a node sent an undecodable message: ${decoded.reason}`);
      out.push({ index, node: entry.node, message: decoded.message, author: hex(decoded.author) });
    });
    return out;
  }

  /** Sent messages of one author, height, round and type whose signed payloads differ. */
  conflictingSignatures(codec: QbftBlockCodec, crypto: QbftCrypto): string[] {
    const first = new Map<string, string>();
    const conflicts: string[] = [];
    for (const { message, author } of this.#decodedSends(codec, crypto)) {
      const { height, round, type } = message.signed.payload;
      const key = `${author}/${height}/${round}/${type}`;
      const signed = hex(message.signed.signingHash);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, signed);
      else if (earlier !== signed) conflicts.push(key);
    }
    return conflicts;
  }

  /** Sends not preceded by a save, by the same node, of a record naming the message. */
  sendsBeforeTheirRecord(codec: QbftBlockCodec, crypto: QbftCrypto): string[] {
    const late: string[] = [];
    for (const { index, node, message } of this.#decodedSends(codec, crypto)) {
      const recorded = this.entries
        .slice(0, index)
        .some(
          (entry) => entry.kind === "saved" && entry.node === node && names(entry.record, message),
        );
      if (!recorded) {
        const { height, round, type } = message.signed.payload;
        late.push(`${node}/${height}/${round}/${type}`);
      }
    }
    return late;
  }

  /** Messages sent so far. */
  get sends(): number {
    return this.entries.filter((entry) => entry.kind === "sent").length;
  }
}
