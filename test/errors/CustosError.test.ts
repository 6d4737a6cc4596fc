import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  CustosError,
  errorCodes,
  isCustosError,
  isErrorCode,
  renderErrorDocs,
} from "../../src/errors/index.ts";

describe("CustosError", () => {
  it("carries code, short message, details and cause", () => {
    const cause = new Error("disk full");
    const err = new CustosError("CONFIG_INVALID", "rpc.port must be an integer", {
      details: { field: "rpc.port" },
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toBe("CONFIG_INVALID: rpc.port must be an integer");
    expect(err.shortMessage).toBe("rpc.port must be an integer");
    expect(err.details).toEqual({ field: "rpc.port" });
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: "CONFIG_INVALID",
      message: "rpc.port must be an integer",
      details: { field: "rpc.port" },
    });
  });

  it("is recognised by code", () => {
    const err = new CustosError("INTERNAL", "boom");
    expect(isCustosError(err)).toBe(true);
    expect(isCustosError(err, "INTERNAL")).toBe(true);
    expect(isCustosError(err, "CONFIG_INVALID")).toBe(false);
    expect(isCustosError(new Error("x"))).toBe(false);
    expect(err.details).toEqual({});
  });

  it("knows its registry", () => {
    expect(isErrorCode("INTERNAL")).toBe(true);
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode("NOPE")).toBe(false);
  });

  it("registers codes as UPPER_SNAKE with valid boundary mappings", () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(info.httpStatus).toBeGreaterThanOrEqual(400);
      expect(info.httpStatus).toBeLessThan(600);
      expect(info.rpcCode).toBeLessThan(0);
      expect(info.description.length).toBeGreaterThan(10);
    }
  });

  it("docs/errors.md matches the registry", async () => {
    const docs = await readFile(new URL("../../docs/errors.md", import.meta.url), "utf8");
    expect(docs).toBe(renderErrorDocs());
  });
});
