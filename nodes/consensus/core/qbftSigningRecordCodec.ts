import { CustosError } from "../../../src/errors/index.ts";
import type { QbftPreparedMetadata } from "./QbftMessage.ts";
import type { QbftRecordedCertificate, QbftSigningRecord } from "./QbftSigningRecord.ts";
import {
  encodeRlpBytes,
  encodeRlpList,
  encodeRlpUint,
  type RlpSpan,
  readRlpBytes,
  readRlpList,
  readRlpRoot,
  readRlpTuple,
  readRlpUint,
} from "./qbftRlp.ts";

const VERSION = 1n;
const NONE = new Uint8Array(0);
const MAX_ROUND = 0x7fffffff;

function corrupt(field: string): CustosError {
  return new CustosError("CONSENSUS_RECORD_CORRUPT", `the signing record's ${field} is malformed`, {
    details: { field },
  });
}

/**
 * The record's durable form: RLP `[1, height, round, proposal, prepare, commit, roundChange,
 * certificate]`, a digest being empty when absent; `roundChange` is `[]` (none), `[[]]` (no
 * prepared claim) or `[[preparedRound, digest]]`; `certificate` is `[]` or
 * `[round, block, [prepare…]]`.
 *
 * @example
 * ```ts
 * await db.put("consensus/record", encodeQbftSigningRecord(effect.record));
 * ```
 */
export function encodeQbftSigningRecord(record: QbftSigningRecord): Uint8Array {
  const digest = (value: Uint8Array | undefined) => encodeRlpBytes(value ?? NONE);
  const metadata = (prepared: QbftPreparedMetadata | undefined) =>
    encodeRlpList(
      prepared === undefined
        ? []
        : [encodeRlpUint(prepared.round), encodeRlpBytes(prepared.digest)],
    );
  const certificate = record.certificate;
  return encodeRlpList([
    encodeRlpUint(VERSION),
    encodeRlpUint(record.height),
    encodeRlpUint(record.round),
    digest(record.proposal),
    digest(record.prepare),
    digest(record.commit),
    encodeRlpList(record.roundChange === undefined ? [] : [metadata(record.roundChange.prepared)]),
    encodeRlpList(
      certificate === undefined
        ? []
        : [
            encodeRlpUint(certificate.round),
            certificate.block,
            encodeRlpList(certificate.prepares),
          ],
    ),
  ]);
}

class RecordReader {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  round(span: RlpSpan | undefined, field: string): number {
    const round = span === undefined ? undefined : readRlpUint(this.bytes, span, 4);
    if (round === undefined || round > MAX_ROUND) throw corrupt(field);
    return Number(round);
  }

  digest(span: RlpSpan, field: string): Uint8Array | undefined {
    const value = readRlpBytes(this.bytes, span);
    if (value === undefined || (value.length !== 0 && value.length !== 32)) throw corrupt(field);
    return value.length === 0 ? undefined : value;
  }

  roundChange(span: RlpSpan): QbftSigningRecord["roundChange"] {
    const outer = readRlpList(this.bytes, span, 1);
    if (outer === undefined) throw corrupt("roundChange");
    if (outer.length === 0) return undefined;
    const inner = readRlpList(this.bytes, outer[0] as RlpSpan, 2);
    if (inner === undefined || inner.length === 1) throw corrupt("roundChange");
    if (inner.length === 0) return { prepared: undefined };
    const digest = readRlpBytes(this.bytes, inner[1] as RlpSpan, 32);
    if (digest === undefined) throw corrupt("roundChange");
    return { prepared: { round: this.round(inner[0], "roundChange"), digest } };
  }

  certificate(span: RlpSpan): QbftRecordedCertificate | undefined {
    const fields = readRlpList(this.bytes, span, 3);
    if (fields === undefined || (fields.length !== 0 && fields.length !== 3)) {
      throw corrupt("certificate");
    }
    if (fields.length === 0) return undefined;
    const [roundSpan, blockSpan, preparesSpan] = fields as [RlpSpan, RlpSpan, RlpSpan];
    const prepares = readRlpList(this.bytes, preparesSpan, Number.MAX_SAFE_INTEGER);
    if (!blockSpan.list || prepares === undefined || prepares.some((item) => !item.list)) {
      throw corrupt("certificate");
    }
    return {
      round: this.round(roundSpan, "certificate"),
      block: this.bytes.slice(blockSpan.from, blockSpan.end),
      prepares: prepares.map((item) => this.bytes.slice(item.from, item.end)),
    };
  }
}

/**
 * Reads a record written by {@link encodeQbftSigningRecord}. Only the shape is checked; the
 * certificate's block and prepares are decoded when the core starts from the record.
 *
 * @throws CustosError `CONSENSUS_RECORD_CORRUPT` when the bytes are not such a record
 *   (details name the field).
 * @example
 * ```ts
 * const record = stored === undefined ? undefined : decodeQbftSigningRecord(stored);
 * ```
 */
export function decodeQbftSigningRecord(bytes: Uint8Array): QbftSigningRecord {
  const root = readRlpRoot(bytes, 0);
  const fields = root === undefined ? undefined : readRlpTuple(bytes, root, 8);
  if (fields === undefined) throw corrupt("layout");
  const reader = new RecordReader(bytes);
  const [version, height, round, proposal, prepare, commit, roundChange, certificate] = fields as [
    RlpSpan,
    RlpSpan,
    RlpSpan,
    RlpSpan,
    RlpSpan,
    RlpSpan,
    RlpSpan,
    RlpSpan,
  ];
  if (readRlpUint(bytes, version, 8) !== VERSION) throw corrupt("version");
  const heightValue = readRlpUint(bytes, height, 8);
  if (heightValue === undefined) throw corrupt("height");
  return {
    height: heightValue,
    round: reader.round(round, "round"),
    proposal: reader.digest(proposal, "proposal"),
    prepare: reader.digest(prepare, "prepare"),
    commit: reader.digest(commit, "commit"),
    roundChange: reader.roundChange(roundChange),
    certificate: reader.certificate(certificate),
  };
}
