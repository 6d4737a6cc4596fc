import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions, REDACTED } from "../../../nodes/log/index.ts";
import { CustosError } from "../../../src/errors/index.ts";

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, destination: { write: (line) => lines.push(line) } });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe("createLogger", () => {
  it("writes JSON records with a component from a child logger", () => {
    const { logger, records } = capture();
    logger.child({ component: "txpool" }).info({ status: "pending" }, "transaction admitted");
    const [record] = records();
    expect(record).toMatchObject({
      level: 30,
      component: "txpool",
      status: "pending",
      msg: "transaction admitted",
    });
    expect(typeof record?.time).toBe("string");
  });

  it("keeps parent bindings in grandchildren and guards their bindings too", () => {
    const { logger, records } = capture();
    logger
      .child({ component: "rpc" })
      .child({ method: "eth_call", subjectId: "S-1" })
      .info("served");
    expect(records()[0]).toMatchObject({ component: "rpc", method: "eth_call", droppedFields: 1 });
    expect(records()[0]).not.toHaveProperty("subjectId");
  });

  it("honours the level and silent", () => {
    const warn = capture({ level: "warn" });
    warn.logger.info("hidden");
    warn.logger.warn("shown");
    expect(warn.records().map((r) => r.msg)).toEqual(["shown"]);
    const silent = capture({ level: "silent" });
    silent.logger.fatal("nothing");
    expect(silent.lines).toEqual([]);
  });

  it("redacts secrets at the top level, one level down and deeper", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        privateKey: "0xaaaa",
        validator: { privateKey: "0xbbbb", key: "0xcccc", address: "0x1234" },
        pseudonymiser: { masterKey: "0xdddd" },
        req: { headers: { authorization: "Bearer eyJ", host: "node" } },
        deep: { a: { b: { password: "hunter2", token: "t0k" } } },
      },
      "secrets everywhere",
    );
    const text = lines.join("");
    for (const secret of ["0xaaaa", "0xbbbb", "0xcccc", "0xdddd", "Bearer eyJ", "hunter2", "t0k"]) {
      expect(text).not.toContain(secret);
    }
    const record = JSON.parse(lines[0] as string);
    expect(record.validator).toEqual({ privateKey: REDACTED, key: REDACTED, address: "0x1234" });
    expect(record.req.headers).toEqual({ authorization: REDACTED, host: "node" });
    expect(record.deep.a.b).toEqual({ password: REDACTED, token: REDACTED });
  });

  it("drops patient identifiers and pseudonyms from records and child bindings", () => {
    const { logger, lines, records } = capture();
    const child = logger.child({ component: "consent", patientId: "P-778899" });
    child.info(
      {
        subject: "MRN-112233",
        pseudonym: "ps_abcdef",
        identifier: { system: "urn:mrn", value: "4455" },
        grant: { subjectId: "S-9", scope: "research", items: [{ patientName: "Alice Example" }] },
        count: 3,
      },
      "consent granted",
    );
    const text = lines.join("");
    for (const value of ["P-778899", "MRN-112233", "ps_abcdef", "4455", "S-9", "Alice Example"]) {
      expect(text).not.toContain(value);
    }
    const [record] = records();
    expect(record).toMatchObject({
      component: "consent",
      count: 3,
      grant: { scope: "research", items: [{}] },
    });
    expect(record?.droppedFields).toBe(5);
  });

  it("keeps messages constant by discarding printf-style arguments", () => {
    const { logger, lines, records } = capture();
    logger.info("patient %s consented", "MRN-5566");
    logger.warn({ height: 7 }, "block %d sealed by %s", 7, "someone");
    expect(lines.join("")).not.toContain("MRN-5566");
    expect(records()).toMatchObject([
      { msg: "patient %s consented", droppedArgs: 1 },
      { msg: "block %d sealed by %s", height: 7, droppedArgs: 2 },
    ]);
  });

  it("serialises errors, also when interpolation arguments are dropped", () => {
    const { logger, records } = capture();
    const error = new CustosError("TXPOOL_FULL", "txpool is full");
    logger.error({ err: error }, "admission failed");
    logger.error(error, "admission failed %s", "x");
    const [first, second] = records();
    expect(first?.err).toMatchObject({ type: "CustosError", code: "TXPOOL_FULL" });
    expect(second?.err).toMatchObject({ code: "TXPOOL_FULL" });
    expect(second?.droppedArgs).toBe(1);
  });

  it("does not mutate the caller's objects", () => {
    const { logger } = capture();
    const fields = { subject: "S1", nested: { privateKey: "k" } };
    logger.info(fields, "x");
    expect(fields).toEqual({ subject: "S1", nested: { privateKey: "k" } });
  });

  it("writes readable lines when pretty, still redacted and guarded", () => {
    const { logger, lines } = capture({ pretty: true });
    logger
      .child({ component: "rpc" })
      .info({ method: "eth_chainId", key: "s3cret", subject: "P1" }, "request served");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[rpc\] request served method=eth_chainId key=\[redacted\] droppedFields=1\n$/,
    );
  });
});
