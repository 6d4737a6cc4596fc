import { CustosError } from "../../../src/errors/index.ts";
import { decodeQbftMessage } from "./decodeQbftMessage.ts";
import type { QbftConfig } from "./QbftConfig.ts";
import { QBFT_MESSAGE_CODES, type QbftPreparePayload, type QbftSigned } from "./QbftMessage.ts";
import type { QbftSigningRecord } from "./QbftSigningRecord.ts";
import type { PreparedCertificate, ResumePoint } from "./QbftState.ts";

const MAX_ROUND = 0x7fffffff;

function corrupt(field: string): CustosError {
  return new CustosError("CONSENSUS_RECORD_CORRUPT", `the signing record's ${field} is invalid`, {
    details: { field },
  });
}

function isDigest(value: Uint8Array | undefined): boolean {
  return value === undefined || (value instanceof Uint8Array && value.length === 32);
}

function decodeCertificate(
  config: QbftConfig,
  record: QbftSigningRecord,
): PreparedCertificate | undefined {
  const recorded = record.certificate;
  if (recorded === undefined) return undefined;
  const block = config.codec.decode(recorded.block);
  if (
    block === undefined ||
    block.height !== record.height ||
    block.round !== recorded.round ||
    recorded.round > record.round
  ) {
    throw corrupt("certificate.block");
  }
  const prepares = recorded.prepares.map((encoded): QbftSigned<QbftPreparePayload> => {
    const bytes = new Uint8Array(encoded.length + 1);
    bytes[0] = QBFT_MESSAGE_CODES.prepare;
    bytes.set(encoded, 1);
    const decoded = decodeQbftMessage(bytes, config.codec, config.crypto);
    if (!decoded.ok || decoded.message.type !== "prepare") throw corrupt("certificate.prepares");
    return decoded.message.signed;
  });
  return { round: recorded.round, block, prepares };
}

/**
 * Checks a persisted signing record and decodes its certificate (block through the codec,
 * prepares through the message decoder), so that resuming from it cannot fail later.
 *
 * @throws CustosError `CONSENSUS_RECORD_CORRUPT` when a field is out of range or the
 *   certificate does not decode to a block of the record's height at its prepared round.
 * @example
 * ```ts
 * core.pendingRecord = createResumePoint(config, record);
 * ```
 */
export function createResumePoint(config: QbftConfig, record: QbftSigningRecord): ResumePoint {
  if (typeof record.height !== "bigint" || record.height < 1n) throw corrupt("height");
  if (!Number.isSafeInteger(record.round) || record.round < 0 || record.round > MAX_ROUND) {
    throw corrupt("round");
  }
  if (!isDigest(record.proposal)) throw corrupt("proposal");
  if (!isDigest(record.prepare)) throw corrupt("prepare");
  if (!isDigest(record.commit)) throw corrupt("commit");
  const prepared = record.roundChange?.prepared;
  if (prepared !== undefined && (prepared.round >= record.round || !isDigest(prepared.digest))) {
    throw corrupt("roundChange");
  }
  return { record, certificate: decodeCertificate(config, record) };
}
