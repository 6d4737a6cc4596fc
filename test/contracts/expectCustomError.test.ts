import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { expectCustomError } from "./expectCustomError.ts";

describe("expectCustomError", () => {
  it("matches name and args of a custom error and rejects a wrong one", async () => {
    const { ethers } = await hre.network.connect();
    const codes = await ethers.deployContract("ConsentCodesHarness");
    await expectCustomError(codes.getFunction("fail")(7n), codes, "ConsentCodesHarnessFailed", [
      7n,
    ]);
    await expect(
      expectCustomError(codes.getFunction("fail")(7n), codes, "ConsentCodesHarnessFailed", [8n]),
    ).rejects.toThrow();
    await expect(
      expectCustomError(codes.getFunction("permits")(0, 0), codes, "ConsentCodesHarnessFailed"),
    ).rejects.toThrow(/expected revert/);
  });
});
