/**
 * The import graph of src/ and nodes/: no circle between files or between folders, the SDK
 * never imports the node, and inside src/ a folder is entered only through its index.ts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Relative imports of a file (static, re-exports and dynamic with a literal), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+"(\.[^"]+)"/g),
    ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
  ].map((match) => match[1] as string);
  return specifiers.map((specifier) => relative(ROOT, resolve(dirname(file), specifier)));
}

const files = [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "nodes"))].map((file) =>
  relative(ROOT, file),
);
const graph = new Map(files.map((file) => [file, importsOf(join(ROOT, file))]));

/** Strongly connected components with more than one member, or a member importing itself. */
function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component);
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** `src/consentIndex/cohort/x.ts` → `src/consentIndex`: the top-level folder under src/ or nodes/. */
function folderOf(file: string): string {
  return file.split("/").slice(0, 2).join("/");
}

describe("the import graph of src/ and nodes/", () => {
  it("finds the files it checks", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(graph.get("nodes/execution/createCallPool.ts")).toContain(
      "nodes/execution/StateWorkerPool.ts",
    );
  });

  it("has no circle between files", () => {
    expect(circles(graph)).toEqual([]);
  });

  it("has no circle between folders", () => {
    const folders = new Map<string, string[]>();
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      const targets = folders.get(from) ?? [];
      for (const target of imports.map(folderOf)) {
        if (target !== from && !targets.includes(target)) targets.push(target);
      }
      folders.set(from, targets);
    }
    expect(circles(folders)).toEqual([]);
  });

  it("keeps the SDK free of the node", () => {
    const offending = [...graph].filter(
      ([file, imports]) =>
        file.startsWith("src/") && imports.some((target) => target.startsWith("nodes/")),
    );
    expect(offending.map(([file]) => file)).toEqual([]);
  });

  it("enters another src/ folder only through its index.ts", () => {
    const deep: string[] = [];
    for (const [file, imports] of graph) {
      if (!file.startsWith("src/")) continue;
      for (const target of imports) {
        if (!target.startsWith("src/") || folderOf(target) === folderOf(file)) continue;
        if (target !== `${folderOf(target)}/index.ts`) deep.push(`${file} → ${target}`);
      }
    }
    expect(deep).toEqual([]);
  });
});
