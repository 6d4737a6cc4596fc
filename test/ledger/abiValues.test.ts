import { ParamType } from "ethers";
import { describe, expect, it } from "vitest";
import { toAbiStruct, toAbiValue, toJsonValue } from "../../src/ledger/abiValues.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";

describe("abiValues", () => {
  it("makes integers up to 48 bits numbers and keeps wider ones bigint", () => {
    expect(toAbiValue(7n, ParamType.from("uint8"))).toBe(7);
    expect(toAbiValue(2n ** 40n - 1n, ParamType.from("uint40"))).toBe(2 ** 40 - 1);
    expect(toAbiValue(2n ** 48n - 1n, ParamType.from("uint48"))).toBe(2 ** 48 - 1);
    expect(toAbiValue(2n ** 63n, ParamType.from("uint64"))).toBe(2n ** 63n);
    expect(toAbiValue(5n, ParamType.from("uint256"))).toBe(5n);
    expect(toAbiValue(true, ParamType.from("bool"))).toBe(true);
    expect(toAbiValue("0xabcd", ParamType.from("bytes"))).toBe("0xabcd");
  });

  it("turns tuples into objects by component name and maps arrays", () => {
    const result = ledgerContracts.AccessLedger.iface.getEvent("ResultRecorded")?.inputs[4];
    if (result === undefined) throw new Error("no ResultRecorded.result");
    expect(toAbiValue(["0x01", 9n, "0x02", 120n, "0x03", 500_000n], result)).toEqual({
      resultHash: "0x01",
      consentBlock: 9n,
      consentRoot: "0x02",
      subjectCount: 120,
      disclosureReportHash: "0x03",
      epsilon: 500_000n,
    });
    expect(toAbiValue([1n, 2n], ParamType.from("uint32[]"))).toEqual([1, 2]);
    expect(
      toAbiStruct([3n, "0xaa"], [ParamType.from("uint64 id"), ParamType.from("bytes32")]),
    ).toEqual({ id: 3n, "1": "0xaa" });
  });

  it("gives JSON-safe values for error details", () => {
    expect(toJsonValue(2n ** 70n, ParamType.from("uint256"))).toBe("1180591620717411303424");
    expect(toJsonValue([1n, 2n], ParamType.from("uint32[]"))).toEqual(["1", "2"]);
    expect(toJsonValue([4n, true], ParamType.from("tuple(uint8 a, bool b)"))).toEqual({
      a: "4",
      b: true,
    });
    expect(JSON.stringify(toJsonValue(1n, ParamType.from("uint64")))).toBe('"1"');
  });
});
