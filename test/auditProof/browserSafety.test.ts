/**
 * The verifier must run in a browser (the dashboard bundles it with esbuild): every module
 * that `verifyChainProof` and `trustAnchorFromGenesis` import, transitively, is walked here
 * — the project's own files through their relative imports, and the packages they name
 * through their own files — and none may import a Node built-in, ethers or EthereumJS.
 */
import { readFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Every import specifier of a JS or TS source (static, re-export, dynamic with a literal). */
function specifiers(text: string): string[] {
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1] as string);
}

/** The package a bare specifier names: `@noble/hashes/sha3.js` → `@noble/hashes`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

/** Walks the import graph from `entries`: the files reached and the packages named. */
function walk(entries: readonly string[]): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        // Packages' CommonJS files name their neighbours without an extension.
        queue.push(
          file.includes("/node_modules/")
            ? createRequire(file).resolve(specifier)
            : resolve(dirname(file), specifier),
        );
      } else {
        bare.add(specifier);
        if (!isBuiltin(specifier)) queue.push(createRequire(file).resolve(specifier));
      }
    }
  }
  return { files, bare };
}

describe("the proof verifier's import graph", () => {
  const { files, bare } = walk([
    join(ROOT, "src/auditProof/verifyChainProof.ts"),
    join(ROOT, "src/auditProof/trustAnchorFromGenesis.ts"),
  ]);
  const own = [...files].filter((f) => !f.includes("/node_modules/")).map((f) => relative(ROOT, f));

  it("walks the verifier's own files and noble's", () => {
    expect(own).toContain("src/auditProof/createTrieProofReader.ts");
    expect(own).toContain("src/auditProof/createProofVerifier.ts");
    expect(own).toContain("src/errors/index.ts");
    expect([...files].some((f) => f.includes("/node_modules/@noble/curves/"))).toBe(true);
  });

  it("stays inside src/auditProof and src/errors", () => {
    expect(own.filter((f) => !/^src\/(auditProof|errors)\//.test(f))).toEqual([]);
    expect(own).not.toContain("src/auditProof/buildChainProof.ts");
    expect(own).not.toContain("src/auditProof/decodeProvenEvents.ts");
  });

  it("imports no Node built-in and no package but noble's hashes and curves", () => {
    const packages = new Set([...bare].map(packageOf));
    expect([...packages].filter((p) => isBuiltin(p))).toEqual([]);
    expect([...packages].sort()).toEqual(["@noble/curves", "@noble/hashes"]);
  });

  it("would see ethers and EthereumJS where the builder uses them", () => {
    const builder = walk([join(ROOT, "src/auditProof/buildChainProof.ts")]);
    const packages = new Set([...builder.bare].map(packageOf));
    expect(packages.has("ethers")).toBe(true);
    expect(packages.has("@ethereumjs/mpt")).toBe(true);
  });
});
