import { createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { QbftBlockCodec } from "../../consensus/core/QbftBlock.ts";
import { type EthereumQbftBlock, toQbftBlock } from "./toQbftBlock.ts";

/** A {@link QbftBlockCodec} whose blocks are {@link EthereumQbftBlock}s. */
export interface EthereumQbftBlockCodec extends QbftBlockCodec {
  decode(encoded: Uint8Array): EthereumQbftBlock | undefined;
}

/**
 * Decodes the blocks consensus messages carry: the RLP of an EthereumJS block of this
 * chain's shape (`common`: its hardfork's header fields) whose extraData is QBFT extraData.
 * Anything else, a message from a faulty or hostile peer, decodes to undefined: never an
 * exception. Only the shape is checked here; execution and the consensus rules judge the
 * content.
 *
 * @example
 * ```ts
 * const codec = createQbftBlockCodec(createCustosCommon({ chainId: 4242n }));
 * const block = codec.decode(proposal.encodedBlock); // undefined when malformed
 * ```
 */
export function createQbftBlockCodec(common: Common): EthereumQbftBlockCodec {
  return {
    decode(encoded) {
      try {
        return toQbftBlock(createBlockFromRLP(encoded, { common, setHardfork: false }));
      } catch {
        return undefined;
      }
    },
  };
}
