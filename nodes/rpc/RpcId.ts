/** A JSON-RPC request id: string, number or null. */
export type RpcId = string | number | null;
