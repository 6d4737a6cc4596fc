import { createAddressFromPrivateKey } from "@ethereumjs/util";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressOfPeerId, peerIdOfNodeKey } from "../../../nodes/network/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

const secp256k1Key = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((key) => key.some((b) => b !== 0) && key[0] !== 0xff);

describe("node identity", () => {
  it("derives from a node key the peer id whose address is the key's Ethereum address", () => {
    fc.assert(
      fc.property(secp256k1Key, (key) => {
        const peerId = peerIdOfNodeKey(key);
        expect(peerId).toMatch(/^16Uiu2/);
        expect(addressOfPeerId(peerId)).toBe(createAddressFromPrivateKey(key).toString());
      }),
      { seed: 1310, numRuns: 50 },
    );
  });

  it("gives no address for a peer id without a secp256k1 key, or for garbage", async () => {
    const ed25519 = peerIdFromPrivateKey(await generateKeyPair("Ed25519"));
    expect(addressOfPeerId(ed25519)).toBeUndefined();
    expect(addressOfPeerId(ed25519.toString())).toBeUndefined();
    expect(addressOfPeerId("not a peer id")).toBeUndefined();
    const secp = peerIdFromPrivateKey(await generateKeyPair("secp256k1"));
    expect(addressOfPeerId(secp)).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it("refuses a node key that is not a secp256k1 private key", () => {
    expectCustosError(() => peerIdOfNodeKey(new Uint8Array(32)), "CONFIG_INVALID");
    expectCustosError(() => peerIdOfNodeKey(new Uint8Array(31).fill(1)), "CONFIG_INVALID");
    const order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    expectCustosError(
      () => peerIdOfNodeKey(Uint8Array.from(Buffer.from(order, "hex"))),
      "CONFIG_INVALID",
    );
  });
});
