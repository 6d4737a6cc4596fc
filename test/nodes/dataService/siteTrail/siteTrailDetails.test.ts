import { keccak256 } from "ethers";
import { describe, expect, it } from "vitest";
import { siteTrailDenialDetails } from "../../../../nodes/dataService/siteTrail/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";

const address = `0x${"Ab".repeat(20)}`;
const body = new TextEncoder().encode('{"measures":[]}');

describe("siteTrailDenialDetails", () => {
  it("keeps a refused researcher request by route, query, claimed signer and body hash", () => {
    const error = new CustosError("FEDERATION_SPEC_MISMATCH", "mismatch", {
      details: { field: "spec", specHash: `0x${"12".repeat(32)}`, onChain: `0x${"34".repeat(32)}` },
    });
    expect(
      siteTrailDenialDetails(error, 409, {
        method: "PUT",
        route: "/queries/:id/spec",
        id: "7",
        address,
        body,
      }),
    ).toEqual({
      method: "PUT",
      route: "/queries/:id/spec",
      queryId: "7",
      code: "FEDERATION_SPEC_MISMATCH",
      status: 409,
      reason: null,
      address: address.toLowerCase(),
      bodyHash: keccak256(body),
      specHash: `0x${"12".repeat(32)}`,
    });
  });

  it("never hashes a staff route's body, and keeps no malformed id or address", () => {
    const error = new CustosError("FEDERATION_REQUEST_UNAUTHORISED", "no", {
      details: { reason: "staff token" },
    });
    const details = siteTrailDenialDetails(error, 401, {
      method: "POST",
      route: "/admin/subjects/pseudonym",
      id: "not-a-query",
      address: ["a", "b"],
      body: new TextEncoder().encode('{"identifier":"MRN-1234"}'),
    });
    expect(details).toMatchObject({
      queryId: null,
      address: null,
      bodyHash: null,
      reason: "staff token",
    });
    expect(JSON.stringify(details)).not.toContain("MRN");
  });

  it("is not kept for a query not read yet, a pending result, a declined query's answer, or a server error", () => {
    const request = { method: "GET", route: "/queries/:id", id: "7", address, body: null };
    for (const [code, status] of [
      ["DATA_SERVICE_QUERY_UNKNOWN", 404],
      ["DATA_SERVICE_RESULT_PENDING", 409],
      ["DATA_SERVICE_QUERY_REFUSED", 403],
      ["INTERNAL", 500],
    ] as const) {
      expect(siteTrailDenialDetails(new CustosError(code, "x"), status, request)).toBeNull();
    }
  });
});
