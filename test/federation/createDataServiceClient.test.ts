import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/canonical/index.ts";
import {
  createDataServiceClient,
  type DataServiceClientOptions,
  resultDocumentHash,
  signQueryResult,
} from "../../src/federation/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { resultDocument, spec, specHash } from "./federationFixtures.ts";
import { refuse, type SignedTestServer, startSignedTestServer } from "./signedTestServer.ts";

const researcher = new Wallet(`0x${"5a".repeat(32)}`);
const stranger = new Wallet(`0x${"6b".repeat(32)}`);
const recorder = new Wallet(`0x${"7c".repeat(32)}`);
let server: SignedTestServer;
let received: string | undefined;

beforeAll(async () => {
  const signed = await signQueryResult(recorder, resultDocument(1));
  server = await startSignedTestServer({
    researcher: researcher.address,
    prefix: "/ds",
    policy: { hospitalId: 1, purposes: ["HMB"], minCellSize: 11 },
    putSpec: (request, reply) => {
      received = Buffer.from(request.body as Buffer).toString("utf8");
      return reply.code(202).send({ queryId: request.params.id, state: "queued" });
    },
    job: (request, reply) => {
      switch (request.params.id) {
        case "1":
          return { queryId: "1", state: "running", reason: null, reasonCode: null, attempts: 2 };
        case "6":
          return {
            queryId: "6",
            state: "declined",
            reason: "cohortTooSmall",
            reasonCode: 7,
            attempts: 1,
          };
        case "2":
          return refuse(reply, "DATA_SERVICE_QUERY_UNKNOWN", { queryId: "2" });
        case "3":
          return reply.code(502).type("text/html").send("<h1>bad gateway</h1>");
        case "4":
          return reply.code(200).type("text/plain").send("not json");
        case "5":
          return { queryId: "5", state: "finished" };
        default:
          // Never answers: the client's timeout must end the call.
          return new Promise(() => {});
      }
    },
    result: (request, reply) =>
      request.params.id === "1"
        ? signed
        : refuse(reply, "DATA_SERVICE_QUERY_REFUSED", { reasonCode: 7, reason: "cohortTooSmall" }),
  });
});

afterAll(async () => {
  await server?.close();
});

const client = (options: Partial<DataServiceClientOptions> = {}) =>
  createDataServiceClient({ baseUrl: server.url, signer: researcher, ...options });

describe("createDataServiceClient", () => {
  it("makes signed calls the service verifies, and reads its answers", async () => {
    const service = client();
    expect(await service.policy()).toEqual({ hospitalId: 1, purposes: ["HMB"], minCellSize: 11 });
    expect(await service.putSpec(1n, spec)).toEqual({
      queryId: "1",
      state: "queued",
      reason: null,
      reasonCode: null,
      attempts: 0,
    });
    expect(received).toBe(canonicalJson(spec));
    expect(await service.job(1)).toEqual({
      queryId: "1",
      state: "running",
      reason: null,
      reasonCode: null,
      attempts: 2,
    });
    expect(await service.job(6)).toMatchObject({ reason: "cohortTooSmall", reasonCode: 7 });
    const signed = await service.result(1n);
    expect(signed.resultHash).toBe(resultDocumentHash(signed.document));
    expect(signed.document.specHash).toBe(specHash);
    expect(server.signedPaths.slice(-4)).toEqual([
      "/queries/1/spec",
      "/queries/1",
      "/queries/6",
      "/queries/1/result",
    ]);
  });

  it("signs the full path under a base URL with a path prefix", async () => {
    const service = client({ baseUrl: `${server.url}/ds/` });
    expect((await service.job(1)).state).toBe("running");
    expect(server.signedPaths.at(-1)).toBe("/ds/queries/1");
  });

  it("maps the service's error answers back to the same code and details", async () => {
    const unknown = await expectCustosError(client().job(2), "DATA_SERVICE_QUERY_UNKNOWN");
    expect(unknown.details).toEqual({ queryId: "2" });
    const refused = await expectCustosError(client().result(9), "DATA_SERVICE_QUERY_REFUSED");
    expect(refused.details).toEqual({ reasonCode: 7, reason: "cohortTooSmall" });
    const unauthorised = await expectCustosError(
      client({ signer: stranger }).job(1),
      "FEDERATION_REQUEST_UNAUTHORISED",
    );
    expect(unauthorised.details).toEqual({ reason: "not the researcher" });
    const skewed = await expectCustosError(
      client({ clock: () => Date.now() - 3_600_000 }).job(1),
      "FEDERATION_REQUEST_UNAUTHORISED",
    );
    expect(skewed.details).toEqual({ reason: "timestamp outside the window" });
  });

  it("maps a replayed request to FEDERATION_REQUEST_REPLAYED", async () => {
    // Sends every request twice with the same headers: the second is a replay.
    const replaying: typeof fetch = async (input, init) => {
      await fetch(input, init);
      return fetch(input, init);
    };
    await expectCustosError(client({ fetch: replaying }).job(1), "FEDERATION_REQUEST_REPLAYED");
  });

  it("reports answers outside the protocol and unreachable services as unavailable", async () => {
    const status = await expectCustosError(client().job(3), "DATA_SERVICE_UNAVAILABLE");
    expect(status.details).toMatchObject({ service: "dataService", reason: "status", status: 502 });
    await expectCustosError(client().job(4), "DATA_SERVICE_BAD_RESPONSE");
    const state = await expectCustosError(client().job(5), "DATA_SERVICE_BAD_RESPONSE");
    expect(state.details).toMatchObject({ field: "state" });
    const closed = await expectCustosError(
      client({ baseUrl: "http://127.0.0.1:9" }).policy(),
      "DATA_SERVICE_UNAVAILABLE",
    );
    expect(closed.details).toMatchObject({ reason: "network", url: "http://127.0.0.1:9/policy" });
  });

  it("ends a call the service never answers at its timeout", async () => {
    const started = performance.now();
    const error = await expectCustosError(
      client({ timeoutMs: 200 }).job(99),
      "DATA_SERVICE_UNAVAILABLE",
    );
    expect(error.details).toMatchObject({ reason: "timeout" });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("stops with LEDGER_ABORTED when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const call = client().job(99, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expectCustosError(call, "LEDGER_ABORTED");
  });

  it("refuses a base URL that is not http(s)", () => {
    expectCustosError(() => client({ baseUrl: "ftp://example.org" }), "INVALID_ARGUMENT");
    expectCustosError(() => client({ baseUrl: "not a url" }), "INVALID_ARGUMENT");
  });
});
