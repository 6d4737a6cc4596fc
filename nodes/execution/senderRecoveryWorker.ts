/**
 * Worker thread of {@link createSenderRecovery}: recovers public keys with the native
 * secp256k1 (the same function the main thread's Common uses) and answers per request.
 */
import { parentPort } from "node:worker_threads";
import type { RecoveryRequest, RecoveryResponse } from "./createSenderRecovery.ts";
import { loadNativeCrypto } from "./loadNativeCrypto.ts";

const { ecrecover } = loadNativeCrypto().customCrypto;

parentPort?.on("message", (request: RecoveryRequest) => {
  const keys = request.items.map(({ msgHash, v, r, s, chainId }) => {
    if (ecrecover === undefined) return undefined;
    try {
      return ecrecover(msgHash, v, r, s, chainId);
    } catch {
      // The main thread recovers it again and reports the invalid signature in context.
      return undefined;
    }
  });
  const response: RecoveryResponse = { id: request.id, keys };
  parentPort?.postMessage(response);
});
