import { describe, expect, it } from "vitest";
import {
  createQbftConfig,
  defaultQbftBounds,
  defaultQbftRoundTimeout,
} from "../../../../nodes/consensus/core/index.ts";
import { createToyQbftCrypto, toyQbftBlockCodec } from "../../../../nodes/consensus/sim/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

const { crypto } = createToyQbftCrypto();

describe("createQbftConfig", () => {
  it("fills in the defaults and freezes the result", () => {
    const config = createQbftConfig({
      crypto,
      codec: toyQbftBlockCodec,
      roundTimeout: { baseMs: 500 },
    });
    expect(config.roundTimeout).toEqual({ ...defaultQbftRoundTimeout, baseMs: 500 });
    expect(config.bounds).toEqual(defaultQbftBounds);
    expect(config.signer).toBeUndefined();
    expect(Object.isFrozen(config) && Object.isFrozen(config.bounds)).toBe(true);
  });

  it("refuses bounds and timeouts that are not positive integers", () => {
    for (const options of [
      { bounds: { seenHashes: 0 } },
      { bounds: { roundWindow: 1.5 } },
      { roundTimeout: { baseMs: -1 } },
      { roundTimeout: { maxFactor: 2 ** 21 } },
    ]) {
      const error = expectCustosError(
        () => createQbftConfig({ crypto, codec: toyQbftBlockCodec, ...options }),
        "CONSENSUS_INPUT_INVALID",
      );
      expect(error.details.field).toMatch(/^(bounds|roundTimeout)\./);
    }
  });
});
