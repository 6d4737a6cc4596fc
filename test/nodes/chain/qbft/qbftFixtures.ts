/** Custos-shaped QBFT headers signed by seeded validator keys, for the qbft tests. */
import { type BlockHeader, createBlockHeader } from "@ethereumjs/block";
import { Address } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  addressOfPrivateKey,
  encodeQbftExtraData,
  type QbftExtraData,
  sealHeader,
  signCommitSeal,
  sortedValidators,
} from "../../../../nodes/chain/index.ts";
import { createCustosCommon } from "../../../../nodes/execution/index.ts";

/** The Common of the test chain (Custos: Cancun, 20 header fields). */
export const testCommon = createCustosCommon({ chainId: 4242n });

/** A validator's key and address. */
export interface TestValidator {
  readonly key: Uint8Array;
  readonly address: Uint8Array;
}

/** `count` validators with keys derived from `seed`, sorted by address. */
export function testValidators(count: number, seed = "validator"): TestValidator[] {
  const all = Array.from({ length: count }, (_, i) => {
    const key = keccak_256(new TextEncoder().encode(`${seed} ${i}`));
    return { key, address: addressOfPrivateKey(key) };
  });
  const order = sortedValidators(all.map((v) => v.address));
  return order.map(
    (address) => all.find((v) => Buffer.compare(v.address, address) === 0) as TestValidator,
  );
}

/** An unsealed header at `number` proposed by `proposer` with this extraData. */
export function testHeader(options: {
  readonly proposer: Uint8Array;
  readonly validators: readonly Uint8Array[];
  readonly round?: number;
  readonly number?: bigint;
  readonly vote?: QbftExtraData["vote"];
}): BlockHeader {
  const extraData = encodeQbftExtraData({
    vanity: new Uint8Array(32),
    validators: options.validators,
    vote: options.vote,
    round: options.round ?? 0,
    seals: [],
  });
  return createBlockHeader(
    {
      number: options.number ?? 1n,
      parentHash: keccak_256(Uint8Array.of(1)),
      coinbase: new Address(options.proposer),
      gasLimit: 30_000_000n,
      timestamp: 1_765_000_000n,
      extraData,
    },
    { common: testCommon },
  );
}

/** The header sealed by `signers`, each signing its commit-seal hash. */
export function sealedBy(header: BlockHeader, signers: readonly TestValidator[]): BlockHeader {
  return sealHeader(
    header,
    signers.map((signer) => signCommitSeal(header, signer.key)),
  );
}
