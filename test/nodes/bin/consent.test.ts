import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createConsentCommand } from "../../../nodes/bin/commands/consent.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { canonicalHash } from "../../../src/canonical/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
} from "../../../src/pseudonym/index.ts";
import { fixture } from "../../consent/fhir/consentFixtures.ts";

const KEY = `0x${"3c".repeat(32)}`;
const path = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/fhir-consent/${name}`, import.meta.url));

async function cli(
  args: readonly string[],
  env: Record<string, string | undefined> = { CUSTOS_MASTER_KEY: KEY },
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["consent", ...args],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    [createConsentCommand({ env })],
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("custos consent from-fhir", () => {
  it("prints the record of a research consent with the patient pseudonymised", async () => {
    const { code, out, err } = await cli([
      "from-fhir",
      path("research-gru-nested-deny.json"),
      "--project",
      "trial-9",
    ]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const record = JSON.parse(out);
    const key = deriveProjectKey(createMasterKey(KEY), { projectId: "trial-9" });
    expect(record.subject).toBe(
      createPseudonymiser({ key, kind: "opaque" }).pseudonymise("Patient/p-123"),
    );
    expect(record.permissions).toEqual(["GRU"]);
    expect(record.documentHash).toBe(canonicalHash(fixture("research-gru-nested-deny.json")));
    expect(out).not.toContain("p-123");
    expect(out).not.toContain("3c3c3c");
  });

  it("uses the default project when --project is absent", async () => {
    const { code, out } = await cli(["from-fhir", path("research-ds-omop.json")]);
    expect(code).toBe(0);
    const key = deriveProjectKey(createMasterKey(KEY), { projectId: "default" });
    expect(JSON.parse(out).subject).toBe(
      createPseudonymiser({ key, kind: "opaque" }).pseudonymise(
        "urn:oid:2.16.840.1.113883.2.1.4.1|9434765919",
      ),
    );
  });

  it.each([
    "Consent-consent-example-basic.json",
    "Consent-consent-example-grantor.json",
    "Consent-consent-example-notThem.json",
    "Consent-consent-example-notTime.json",
  ])("refuses the HL7 privacy example %s with the typed error and path", async (name) => {
    const { code, out, err } = await cli(["from-fhir", path(name)]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      "error CONSENT_FHIR_UNSUPPORTED: Consent.scope: only research consents (consentscope#research) are registered\n",
    );
    expect(err).not.toMatch(/f001|Heuvel/);
  });

  it("refuses to run without CUSTOS_MASTER_KEY and never prints the key", async () => {
    const missing = await cli(["from-fhir", path("research-ds-omop.json")], {});
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error CONFIG_INVALID: CUSTOS_MASTER_KEY is not set/);
    const short = await cli(["from-fhir", path("research-ds-omop.json")], {
      CUSTOS_MASTER_KEY: "abcdef12",
    });
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/^error PSEUDONYM_KEY_INVALID: master key must be at least 32 bytes/);
    expect(short.err).not.toContain("abcdef12");
  });

  it("reports usage errors with exit code 2", async () => {
    expect((await cli(["from-fhir"])).code).toBe(2);
    expect((await cli(["from-fhir", "a.json", "b.json"])).code).toBe(2);
    expect((await cli(["from-fhir", "a.json", "--project"])).code).toBe(2);
    expect((await cli(["from-fhir", "a.json", "--frobnicate"])).code).toBe(2);
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      'error CLI_USAGE: unknown consent sub-command "frobnicate" (see custos consent --help)\n',
    );
  });

  it("reports unreadable and non-JSON files", async () => {
    const gone = await cli(["from-fhir", path("no-such-file.json")]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/^error INVALID_ARGUMENT: cannot read /);
    const err: string[] = [];
    const notJson = await runCli(
      ["consent", "from-fhir", "x.json"],
      { stdout: () => undefined, stderr: (t) => void err.push(t) },
      [createConsentCommand({ env: { CUSTOS_MASTER_KEY: KEY }, readText: async () => "{ nope" })],
    );
    expect(notJson).toBe(1);
    expect(err.join("")).toBe("error CONSENT_FHIR_INVALID: Consent: the file is not JSON\n");
  });

  it("refuses an unknown DUO word in import terms with CONSENT_TERMS_UNKNOWN_CODE", async () => {
    const chain = ["--rpc", "http://127.0.0.1:9", "--registry", `0x${"11".repeat(20)}`];
    const unknown = await cli(["import", "rows.csv", "--terms", '{"purposes":"GRUE"}', ...chain]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error CONSENT_TERMS_UNKNOWN_CODE: /);
    const category = await cli([
      "import",
      "rows.csv",
      "--terms",
      '{"purposes":"GRU","categories":["CONDITIONS","TELEPATHY"]}',
      ...chain,
    ]);
    expect(category.err).toMatch(/^error CONSENT_TERMS_UNKNOWN_CODE: terms\.categories/);
    const wrongType = await cli(["import", "rows.csv", "--terms", '{"purposes":true}', ...chain]);
    expect(wrongType.err).toMatch(/^error CONSENT_IMPORT_INVALID: /);
  });

  it("prints help", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: custos consent from-fhir <file> [--project <id>]");
    expect(out).toContain('a DUO label ("GRU")');
    expect(out).toContain("--resume");
  });
});
