import { QBFT_MESSAGE_CODES, type QbftMessage } from "./QbftMessage.ts";
import { encodeRlpList } from "./qbftRlp.ts";

const EMPTY_LIST = Uint8Array.of(0xc0);

function body(message: QbftMessage): Uint8Array {
  switch (message.type) {
    case "proposal":
      return encodeRlpList([
        message.signed.encoded,
        encodeRlpList([
          encodeRlpList(message.roundChanges.map((entry) => entry.encoded)),
          encodeRlpList(message.prepares.map((entry) => entry.encoded)),
        ]),
      ]);
    case "prepare":
    case "commit":
      return message.signed.encoded;
    case "roundChange":
      return encodeRlpList([
        message.signed.encoded,
        message.preparedBlock?.encoded ?? EMPTY_LIST,
        encodeRlpList(message.prepares.map((entry) => entry.encoded)),
      ]);
  }
}

/**
 * A message's wire form: its code byte, then Besu's message RLP — PREPARE and COMMIT are the
 * signed payload; PROPOSAL is `[signedProposal, [[signedRoundChange…], [signedPrepare…]]]`;
 * ROUND_CHANGE is `[signedRoundChange, preparedBlock or [], [signedPrepare…]]`. Besu 26.1's
 * block-access-list slot (last in the proposal payload, after the block in a round change)
 * is left out: Custos blocks carry no access list, and leaving it out keeps one encoding per
 * message (the decoder rejects the slot).
 *
 * @example
 * ```ts
 * const bytes = encodeQbftMessage({ type: "prepare", signed });
 * ```
 */
export function encodeQbftMessage(message: QbftMessage): Uint8Array {
  const rlp = body(message);
  const out = new Uint8Array(rlp.length + 1);
  out[0] = QBFT_MESSAGE_CODES[message.type];
  out.set(rlp, 1);
  return out;
}
