import fc from "fast-check";
import type { ChainHead } from "../../../../nodes/network/wire/headMessage.ts";
import type { StatusMessage } from "../../../../nodes/network/wire/statusMessage.ts";
import type { SyncRequest } from "../../../../nodes/network/wire/syncRequest.ts";
import type { SyncResponse } from "../../../../nodes/network/wire/syncResponse.ts";

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const head: fc.Arbitrary<ChainHead> = fc.record({ number: u64, hash });

/** Generators of valid wire messages, shared by the codec tests and the fuzzers. */
export const arbitraries = {
  head,
  status: fc.record({
    protocolVersion: fc.nat({ max: 2 ** 32 - 1 }),
    chainId: u64,
    genesisHash: hash,
    head,
    listenPort: fc.nat({ max: 65_535 }),
  }) as fc.Arbitrary<StatusMessage>,
  items: (minLength: number) =>
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength, maxLength: 6 }),
  syncRequest: fc.record({
    kind: fc.constantFrom("blocks", "headers"),
    fromNumber: u64,
    count: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  }) as fc.Arbitrary<SyncRequest>,
  syncResponse: fc.oneof(
    fc.record({
      status: fc.constant("ok"),
      items: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
    }),
    fc.constant({ status: "failed" }),
  ) as fc.Arbitrary<SyncResponse>,
};
