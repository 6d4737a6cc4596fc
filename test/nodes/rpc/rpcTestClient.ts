import type { RpcServer } from "../../../nodes/rpc/createRpcServer.ts";

/** A JSON-RPC response as tests read it. */
export interface TestResponse {
  readonly jsonrpc: string;
  readonly id: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

/** Posts a raw body with fastify.inject; returns status and parsed body (undefined if empty). */
export async function post(
  server: RpcServer,
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<{ status: number; body: unknown; raw: string }> {
  const response = await server.fastify.inject({
    method: "POST",
    url: "/",
    payload: body,
    headers,
  });
  return {
    status: response.statusCode,
    raw: response.body,
    body: response.body === "" ? undefined : JSON.parse(response.body),
  };
}

/** Calls one method and returns its response object. */
export async function call(
  server: RpcServer,
  method: string,
  params?: unknown,
): Promise<TestResponse> {
  const request =
    params === undefined
      ? { jsonrpc: "2.0", id: 1, method }
      : { jsonrpc: "2.0", id: 1, method, params };
  const { body } = await post(server, JSON.stringify(request));
  return body as TestResponse;
}

/** Calls one method and returns its result, failing the test on an error. */
export async function result(
  server: RpcServer,
  method: string,
  params?: unknown,
): Promise<unknown> {
  const response = await call(server, method, params);
  if (response.error !== undefined)
    throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
  return response.result;
}
