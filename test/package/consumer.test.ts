import { execFile } from "node:child_process";
import { createHmac, hkdfSync } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MASTER_KEY = "ab".repeat(32);

interface Manifest {
  readonly version: string;
  readonly exports: Record<string, unknown>;
}

// Children find the project's Node 22 first: npm and the installed `custos` bin both start
// through `#!/usr/bin/env node`, and Node 20 cannot run the SDK.
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
};

let work = "";
let consumer = "";
let tarballFiles: string[] = [];
let manifest: Manifest;

/** Runs `command` in `cwd` with the project's Node first on PATH. */
function exec(command: string, args: readonly string[], cwd: string) {
  return run(command, args, { cwd, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
}

/**
 * The packed SDK installed into a fresh project outside the repository: what an integrator
 * gets from `npm install custos`, compiled, with none of the repository's sources beside it.
 */
describe("the packed SDK in a consumer project", () => {
  beforeAll(async () => {
    manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as Manifest;
    work = await mkdtemp(join(tmpdir(), "custos-package-"));
    // `npm pack` runs prepack, which builds dist/ afresh.
    await exec("npm", ["pack", "--silent", "--pack-destination", work], ROOT);
    const tarball = (await readdir(work)).find((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`npm pack left no tarball in ${work}`);
    tarballFiles = (await exec("tar", ["-tzf", join(work, tarball)], work)).stdout
      .split("\n")
      .filter((line) => line !== "");

    consumer = join(work, "consumer");
    await mkdir(consumer);
    await writeFile(
      join(consumer, "package.json"),
      JSON.stringify({ name: "custos-consumer", private: true, type: "module" }),
    );
    // Dependencies come from the npm cache when they are there. Install scripts are off as in
    // the repository (allowScripts): the native modules load their bundled prebuilds.
    await exec(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--silent",
        join(work, tarball),
      ],
      consumer,
    );
  }, 180_000);

  afterAll(async () => {
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  it("ships the compiled build and no tests, benchmarks or TypeScript sources", () => {
    expect(tarballFiles).toContain("package/package.json");
    expect(tarballFiles).toContain("package/dist/nodes/bin/custos.js");
    // The dashboard and portal ship prebuilt: an installed node needs no bundler.
    expect(tarballFiles).toContain("package/dist/nodes/dashboard/assets/dashboard.js");
    expect(tarballFiles).toContain("package/dist/nodes/dashboard/assets/portal.js");
    for (const file of tarballFiles) {
      expect(file).toMatch(
        /^package\/(package\.json|README\.md|LICENSE|dist\/(src|nodes)\/.*\.(js|d\.ts))$/,
      );
    }
  });

  it("runs a fail-closed access check, a worker cohort and a pseudonym from plain Node ESM", async () => {
    await copyFile(
      fileURLToPath(new URL("consumer/accessCheck.mjs", import.meta.url)),
      join(consumer, "accessCheck.mjs"),
    );
    const { stdout } = await exec(process.execPath, ["accessCheck.mjs", MASTER_KEY], consumer);
    const outcome = JSON.parse(stdout);

    // The pseudonym computed independently: HMAC-SHA-256 under the HKDF project key of the
    // canonical "person_id:42" (docs/pseudonyms.md).
    const projectKey = hkdfSync(
      "sha256",
      Buffer.from(MASTER_KEY, "hex"),
      "custos/pseudonym/salt/v1",
      "custos/pseudonym/v1/key1/trial-7",
      32,
    );
    const expected = createHmac("sha256", Buffer.from(projectKey))
      .update("person_id:42")
      .digest("hex");
    expect(outcome.subject).toBe(`0x${expected}`);

    expect(outcome.beforeSync).toEqual({ allowed: false, reason: "INDEX_NOT_SYNCED" });
    expect(outcome.allowed).toEqual({ allowed: true, reason: "PERMITTED" });
    expect(outcome.denied).toEqual({
      code: "CONSENT_DENIED",
      reason: "CATEGORY_NOT_PERMITTED",
      isCustosError: true,
      instanceOfRootEntry: true,
    });
    expect(outcome.unknown).toEqual({ allowed: false, reason: "UNKNOWN_SUBJECT" });
    expect(outcome.cohort).toEqual({ allowedIndices: [1], proven: true });
  }, 60_000);

  it("type-checks every package entry from a TypeScript project with node16 resolution", async () => {
    const entries = Object.keys(manifest.exports).map((key) => `custos${key.slice(1)}`);
    expect(entries).toContain("custos/consent-index");
    expect(entries).toContain("custos/consent-import");
    const source = [
      ...entries.map((entry, i) => `import * as entry${i} from "${entry}";`),
      `import { type ConsentIndex, createConsentIndex } from "custos/consent-index";`,
      `export const entries = [${entries.map((_, i) => `entry${i}`).join(", ")}];`,
      "const index: ConsentIndex = createConsentIndex({ now: () => 0 });",
      // Fails to compile (an unused expectation) if the declarations resolved to `any`.
      "// @ts-expect-error a subject is a pseudonym, not a number",
      "index.checkAccess({ subject: 1, use: 1, categories: 1 });",
      "",
    ].join("\n");
    await writeFile(join(consumer, "entries.ts"), source);
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "node16",
          moduleResolution: "node16",
          target: "ES2022",
          strict: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
        },
        files: ["entries.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await exec(process.execPath, [tsc, "-p", "tsconfig.json"], consumer).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(result.stdout).toBe("");
  }, 60_000);

  it("installs the custos command, which runs from the package", async () => {
    const bin = join(consumer, "node_modules/.bin/custos");
    expect((await exec(bin, ["--version"], consumer)).stdout).toBe(`${manifest.version}\n`);
    expect((await exec(bin, ["--help"], consumer)).stdout).toMatch(/^Usage: custos <command>/m);
  });
});
