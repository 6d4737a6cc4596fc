/**
 * LedgerRpcProvider against a scripted endpoint (a FetchRequest whose transport the test
 * plays): it answers exactly as ethers' JsonRpcProvider does for the same bytes, sends the
 * same JSON, and rejects the same way on a body that is not UTF-8 JSON; and over real HTTP on
 * 127.0.0.1 through the runtime's fetch: a large chunked answer, a timeout, a closed port.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FetchRequest, type FetchResponse, isError, JsonRpcProvider } from "ethers";
import { describe, expect, it, vi } from "vitest";
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

/** A JSON-RPC server on 127.0.0.1 answering through `handle`, for the runtime-fetch transport. */
async function httpServer(handle: (body: string, response: ServerResponse) => void) {
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => handle(body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("LedgerRpcProvider over HTTP (the runtime's fetch)", () => {
  it("reads a large answer sent in many chunks as JsonRpcProvider does", async () => {
    const logs = Array.from({ length: 5_000 }, (_, i) => ({
      index: i,
      data: `0x${"ab".repeat(96)}`,
    }));
    const server = await httpServer((body, response) => {
      const { id } = JSON.parse(body) as { id: number };
      const text = JSON.stringify({ jsonrpc: "2.0", id, result: logs });
      response.writeHead(200, { "content-type": "application/json" });
      // Many small writes: the answer arrives in many chunks.
      for (let at = 0; at < text.length; at += 16_384) response.write(text.slice(at, at + 16_384));
      response.end();
    });
    const fetched = vi.spyOn(globalThis, "fetch");
    try {
      const answers = [];
      const fetches = [];
      for (const make of [providers.ethers, providers.ledger]) {
        const provider = make(new FetchRequest(server.url));
        const before = fetched.mock.calls.length;
        try {
          answers.push(await provider.send("eth_getLogs", [{}]));
        } finally {
          provider.destroy();
        }
        fetches.push(fetched.mock.calls.length - before);
      }
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[1]).toHaveLength(5_000);
      // ethers' transport is node:http; LedgerRpcProvider's is fetch.
      expect(fetches).toEqual([0, 1]);
    } finally {
      fetched.mockRestore();
      await server.close();
    }
  });

  it("ends a request past its timeout with ethers' TIMEOUT", async () => {
    const server = await httpServer(() => undefined); // never answers
    const request = new FetchRequest(server.url);
    request.timeout = 200;
    const provider = providers.ledger(request);
    try {
      const error = await provider.send("eth_blockNumber", []).catch((caught: unknown) => caught);
      expect(isError(error, "TIMEOUT")).toBe(true);
    } finally {
      provider.destroy();
      await server.close();
    }
  });

  it("fails a request to a closed port as a transport error, not an answer", async () => {
    const server = await httpServer(() => undefined);
    await server.close();
    const provider = providers.ledger(new FetchRequest(server.url));
    try {
      const error = await provider.send("eth_blockNumber", []).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(isError(error, "UNSUPPORTED_OPERATION")).toBe(false);
    } finally {
      provider.destroy();
    }
  });
});
