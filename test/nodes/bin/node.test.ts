import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createNodeCommand } from "../../../nodes/bin/commands/node.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { captureIo } from "./captureIo.ts";

describe("custos node", () => {
  it("documents every config flag in --help", async () => {
    const c = captureIo();
    expect(await runCli(["node", "--help"], c.io, [createNodeCommand()])).toBe(0);
    expect(c.out()).toContain("Usage: custos node");
    expect(c.out()).toContain("--reindex");
    expect(c.out()).toContain("--dev-chain-hospitals");
    expect(c.out()).toContain("--rpc-port");
  });

  it("refuses an unknown argument and an invalid config value before starting", async () => {
    const c = captureIo();
    expect(await runCli(["node", "--dev", "--bogus"], c.io, [createNodeCommand()])).toBe(2);
    expect(c.err()).toBe("error CLI_USAGE: unknown option --bogus (see custos node --help)\n");
    const d = captureIo();
    expect(
      await runCli(["node", "--dev", "--rpc-port", "99999"], d.io, [createNodeCommand()]),
    ).toBe(1);
    expect(d.err()).toBe(
      "error CONFIG_INVALID: rpc.port: must be an integer 0..65535 (from --rpc-port)\n",
    );
  });

  it("prints where it serves, runs until asked to stop, then stops cleanly", async () => {
    let stop: () => void = () => undefined;
    const stopSignal = () =>
      new Promise<void>((resolve) => {
        stop = resolve;
      });
    const logs: string[] = [];
    const command = createNodeCommand({
      stopSignal,
      logDestination: { write: (l) => void logs.push(l) },
    });
    const c = captureIo();
    const exit = runCli(["node", "--dev", "--rpc-port", "0", "--dev-chain-hospitals", "2"], c.io, [
      command,
    ]);
    await expect
      .poll(() => /^JSON-RPC\s+http:\/\/127\.0\.0\.1:\d+$/m.test(c.out()), {
        timeout: 30_000,
      })
      .toBe(true);
    const url = /^JSON-RPC\s+(\S+)$/m.exec(c.out())?.[1] as string;
    const answer = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }),
    }).then((r) => r.json());
    expect(answer).toEqual({ jsonrpc: "2.0", id: 1, result: "0x1092" });
    expect(c.out()).toMatch(/^hospital 2 +0x[0-9a-f]{40} \(admin\), 0x[0-9a-f]{40} \(recorder\)$/m);
    expect(c.out()).toMatch(/^dev keys +\S+dev-keys\.json \(mode 0600; keep it private\)$/m);
    const keysFile = /^dev keys +(\S+)/m.exec(c.out())?.[1] as string;
    const secrets = [
      ...readFileSync(keysFile, "utf8").matchAll(/"privateKey": "(0x[0-9a-f]{64})"/g),
    ];
    expect(secrets.length).toBe(2 * 3 + 3);
    for (const [, secret] of secrets) expect(c.out()).not.toContain(secret);
    stop();
    expect(await exit).toBe(0);
    expect(c.out()).toMatch(/stopped\n$/);
    expect(logs.join("")).toContain('"msg":"node started"');
    for (const [, secret] of secrets) expect(logs.join("")).not.toContain(secret);
  });
});
