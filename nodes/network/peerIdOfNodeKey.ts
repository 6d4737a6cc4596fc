import { isValidPrivate } from "@ethereumjs/util";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { CustosError } from "../../src/errors/index.ts";

/**
 * The libp2p private key of a node key: a secp256k1 private key of 32 bytes, the validator's
 * own key (as in Besu, where a validator's node key is its signing key).
 *
 * @throws CustosError `CONFIG_INVALID` (field `nodeKey`) when the bytes are not a valid
 *   secp256k1 private key.
 * @example
 * ```ts
 * const privateKey = libp2pKeyOfNodeKey(nodeKey); // for createLibp2p({ privateKey })
 * ```
 */
export function libp2pKeyOfNodeKey(nodeKey: Uint8Array): PrivateKey {
  if (!(nodeKey instanceof Uint8Array) || nodeKey.length !== 32 || !isValidPrivate(nodeKey)) {
    throw new CustosError("CONFIG_INVALID", "nodeKey must be a 32-byte secp256k1 private key", {
      details: { field: "nodeKey" },
    });
  }
  return privateKeyFromRaw(nodeKey);
}

/**
 * The libp2p peer id (base58 string, `16Uiu2…`) of a node key. Peers derive the node's
 * Ethereum address from it with `addressOfPeerId`, so the allow-list can be the Consortium's
 * list of accounts.
 *
 * @throws CustosError `CONFIG_INVALID` (field `nodeKey`) for a key that is not a valid
 *   secp256k1 private key.
 * @example
 * ```ts
 * const peerId = peerIdOfNodeKey(nodeKey);
 * const bootnode = `/ip4/127.0.0.1/tcp/30303/p2p/${peerId}`;
 * ```
 */
export function peerIdOfNodeKey(nodeKey: Uint8Array): string {
  return peerIdFromPrivateKey(libp2pKeyOfNodeKey(nodeKey)).toString();
}
