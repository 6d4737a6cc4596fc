import { describe, expect, it } from "vitest";
import {
  encodeQbftMessage,
  type QbftSigningRecord,
  signQbftPayload,
} from "../../../../nodes/consensus/core/index.ts";
import { fakeQbftBlockCodec } from "./fakeQbftBlock.ts";
import { createFakeQbftCrypto, fakeHash } from "./fakeQbftCrypto.ts";
import { Trace } from "./Trace.ts";

// The checks the cluster tests rely on must be able to fail.
describe("Trace (test helper)", () => {
  const ring = createFakeQbftCrypto();
  const signer = ring.signer("checked");
  const node = `0x${Buffer.from(signer.address).toString("hex")}`;
  const prepare = (tag: string) => {
    const digest = fakeHash(new TextEncoder().encode(tag));
    const signed = signQbftPayload(
      { type: "prepare", height: 3n, round: 1, digest },
      signer,
      ring.crypto,
    );
    return { digest, bytes: encodeQbftMessage({ type: "prepare", signed }) };
  };
  const record = (digest: Uint8Array): QbftSigningRecord => ({
    height: 3n,
    round: 1,
    proposal: undefined,
    prepare: digest,
    commit: undefined,
    roundChange: undefined,
    certificate: undefined,
  });

  it("reports a send that no earlier save of its node names", () => {
    const trace = new Trace();
    const { digest, bytes } = prepare("a");
    trace.sent(node, bytes);
    trace.saved(node, record(digest));
    expect(trace.sendsBeforeTheirRecord(fakeQbftBlockCodec, ring.crypto)).toEqual([
      `${node}/3/1/prepare`,
    ]);
    trace.sent(node, bytes);
    expect(trace.sendsBeforeTheirRecord(fakeQbftBlockCodec, ring.crypto)).toHaveLength(1);
  });

  it("reports two different signed payloads for one height, round and type", () => {
    const trace = new Trace();
    trace.sent(node, prepare("a").bytes);
    trace.sent(node, prepare("a").bytes);
    expect(trace.conflictingSignatures(fakeQbftBlockCodec, ring.crypto)).toEqual([]);
    trace.sent(node, prepare("b").bytes);
    expect(trace.conflictingSignatures(fakeQbftBlockCodec, ring.crypto)).toEqual([
      `${Buffer.from(signer.address).toString("hex")}/3/1/prepare`,
    ]);
  });
});
