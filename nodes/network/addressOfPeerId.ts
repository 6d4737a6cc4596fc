import { bytesToHex, publicToAddress } from "@ethereumjs/util";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { Address } from "./Address.ts";

/**
 * The Ethereum address of the secp256k1 public key embedded in a peer id: keccak-256 of the
 * uncompressed public key (without its 0x04 prefix), last 20 bytes. `undefined` for a peer id
 * that does not parse or does not embed a secp256k1 key (Ed25519, RSA): such peers have no
 * address and are never admitted.
 *
 * @example
 * ```ts
 * addressOfPeerId(peerIdOfNodeKey(nodeKey)); // the validator's address, "0x…"
 * ```
 */
export function addressOfPeerId(peerId: PeerId | string): Address | undefined {
  let parsed: PeerId;
  try {
    parsed = typeof peerId === "string" ? peerIdFromString(peerId) : peerId;
  } catch {
    return undefined;
  }
  if (parsed.type !== "secp256k1") return undefined;
  try {
    return bytesToHex(publicToAddress(parsed.publicKey.raw, true)) as Address;
  } catch {
    return undefined;
  }
}
