/**
 * LedgerRpcProvider against a scripted endpoint (a FetchRequest whose transport the test
 * plays): it answers exactly as ethers' JsonRpcProvider does for the same bytes, sends the
 * same JSON, and rejects the same way on a body that is not UTF-8 JSON.
 */
import { FetchRequest, type FetchResponse, isError, JsonRpcProvider } from "ethers";
import { describe, expect, it } from "vitest";
import { LedgerRpcProvider } from "../../src/ledger/index.ts";

/** An endpoint answering each request with `answer(payload)` as raw bytes, recording requests. */
function scripted(answer: (payload: unknown) => Uint8Array) {
  const requests: { body: string; contentType: string | undefined }[] = [];
  const request = new FetchRequest("http://scripted.invalid/");
  request.getUrlFunc = async (req) => {
    const body = new TextDecoder().decode(req.body ?? new Uint8Array());
    requests.push({ body, contentType: req.getHeader("content-type") });
    return {
      statusCode: 200,
      statusMessage: "OK",
      headers: { "content-type": "application/json" },
      body: answer(JSON.parse(body)),
    } satisfies Partial<FetchResponse> as never;
  };
  return { request, requests };
}

const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
/** Answers every call of a (batch) payload with `result(method)`. */
const answering =
  (result: (method: string) => unknown) =>
  (payload: unknown): Uint8Array => {
    const calls = (Array.isArray(payload) ? payload : [payload]) as {
      id: number;
      method: string;
    }[];
    const answers = calls.map((c) => ({ jsonrpc: "2.0", id: c.id, result: result(c.method) }));
    return utf8(Array.isArray(payload) ? answers : answers[0]);
  };

const providers = {
  ethers: (request: FetchRequest) => new JsonRpcProvider(request, 1n, { staticNetwork: true }),
  ledger: (request: FetchRequest) => new LedgerRpcProvider(request, 1n, { staticNetwork: true }),
};

describe("LedgerRpcProvider", () => {
  it("answers and sends as JsonRpcProvider does, multi-byte text and batches included", async () => {
    const text = "Zürich – ✓ 𝄞 日本";
    const seen: Record<string, unknown[]> = {};
    for (const [name, make] of Object.entries(providers)) {
      const { request, requests } = scripted(
        answering((method) => (method === "custos_echo" ? text : "0x2a")),
      );
      const provider = make(request);
      try {
        // Two calls in one tick: ethers sends them as one batch.
        const [echoed, number] = await Promise.all([
          provider.send("custos_echo", [text]),
          provider.send("eth_blockNumber", []),
        ]);
        seen[name] = [echoed, number, requests];
      } finally {
        provider.destroy();
      }
    }
    expect(seen.ledger).toEqual(seen.ethers);
    expect(seen.ledger?.[0]).toBe(text);
    const [sent] = (seen.ledger?.[2] ?? []) as { body: string; contentType: string }[];
    expect(sent?.contentType).toBe("application/json");
    expect(JSON.parse(sent?.body ?? "")).toHaveLength(2);
  });

  it.each([
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ["not JSON", new TextEncoder().encode("<html>busy</html>")],
  ])("rejects a body that is %s as JsonRpcProvider does", async (_, body) => {
    const codes: Record<string, unknown> = {};
    for (const [name, make] of Object.entries(providers)) {
      const provider = make(scripted(() => body).request);
      try {
        const error = await provider.send("eth_blockNumber", []).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(isError(error, "UNSUPPORTED_OPERATION")).toBe(true);
        codes[name] = (error as { code: string }).code;
      } finally {
        provider.destroy();
      }
    }
    expect(codes.ledger).toBe(codes.ethers);
  });

  it("passes a node's error answer on as ethers' error for it", async () => {
    const { request } = scripted((payload) =>
      utf8({
        jsonrpc: "2.0",
        id: (payload as { id: number }).id,
        error: { code: -32000, message: "nonce too low" },
      }),
    );
    const provider = providers.ledger(request);
    try {
      const error = await provider.send("eth_sendRawTransaction", ["0x00"]).catch((e) => e);
      expect(isError(error, "NONCE_EXPIRED")).toBe(true);
    } finally {
      provider.destroy();
    }
  });
});
