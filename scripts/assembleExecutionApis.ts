/**
 * Assembles the ethereum/execution-apis OpenRPC document from its YAML sources, as the
 * repository's own `specgen` tool does for `refs-openrpc.json` (its `make build` with the
 * Makefile's SPECFLAGS): the base document, every schema of `src/schemas` and
 * `src/engine/openrpc/schemas` under `components.schemas`, every method of `src/eth`,
 * `src/debug`, `src/txpool`, `src/engine/openrpc/methods` and `src/testing` sorted by name,
 * and each method's `error-groups` references resolved from `src/error-groups` into its
 * `errors` (inline errors win over a group's error with the same code). `$ref`s are kept:
 * the conformance test resolves them with a JSON-Schema validator. Methods' `examples` are
 * left out: they are documentation (most of the document's 2 MB: full proofs and traces),
 * not schema.
 *
 * Usage: node scripts/assembleExecutionApis.ts <execution-apis checkout> <output.json>
 *
 * The repository is CC0-1.0; the test fixture keeps its licence and the commit it came from
 * (test/fixtures/execution-apis/README.md).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const schemaDirs = ["src/schemas", "src/engine/openrpc/schemas"];
const methodDirs = [
  "src/eth",
  "src/debug",
  "src/txpool",
  "src/engine/openrpc/methods",
  "src/testing",
];
const errorGroupDir = "src/error-groups";
const errorGroupPrefix = "#/components/error-groups/";

async function yamlFiles(root: string, dir: string): Promise<Json[]> {
  const names = (await readdir(join(root, dir))).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => parse(await readFile(join(root, dir, name), "utf8")) as Json),
  );
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new Error(`assembleExecutionApis: ${message}`);
}

async function assemble(root: string): Promise<JsonObject> {
  const schemas: JsonObject = {};
  for (const dir of schemaDirs) {
    for (const file of await yamlFiles(root, dir)) {
      if (!isObject(file)) fail(`${dir}: a schema file is not a mapping`);
      for (const [name, schema] of Object.entries(file)) {
        if (Object.hasOwn(schemas, name)) fail(`duplicate schema ${name}`);
        schemas[name] = schema;
      }
    }
  }
  const groups = new Map<string, JsonObject[]>();
  for (const file of await yamlFiles(root, errorGroupDir)) {
    if (!isObject(file)) fail("an error-group file is not a mapping");
    for (const [name, group] of Object.entries(file)) {
      const errors = isObject(group) && Array.isArray(group.errors) ? group.errors : [];
      groups.set(name, errors.filter(isObject));
    }
  }
  const methods = new Map<string, JsonObject>();
  for (const dir of methodDirs) {
    for (const file of await yamlFiles(root, dir)) {
      if (!Array.isArray(file)) fail(`${dir}: a method file is not a list`);
      for (const method of file) {
        if (!isObject(method) || typeof method.name !== "string") fail(`${dir}: unnamed method`);
        if (methods.has(method.name)) fail(`method ${method.name} already defined`);
        const { examples: _documentation, ...schema } = method;
        methods.set(method.name, resolveErrorGroups(schema, groups));
      }
    }
  }
  return {
    openrpc: "1.4.1",
    info: {
      title: "Ethereum JSON-RPC Specification",
      description: "A specification of the standard interface for Ethereum clients.",
      license: {
        name: "CC0-1.0",
        url: "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
      },
      version: "0.0.0",
    },
    methods: [...methods.keys()].sort().map((name) => methods.get(name) as JsonObject),
    components: { schemas },
  };
}

function resolveErrorGroups(method: JsonObject, groups: Map<string, JsonObject[]>): JsonObject {
  const refs = method["error-groups"];
  if (!Array.isArray(refs)) return method;
  const inline = Array.isArray(method.errors) ? method.errors : [];
  const codes = new Set(inline.filter(isObject).map((error) => error.code));
  const merged: Json[] = [...inline];
  for (const ref of refs) {
    const target = isObject(ref) ? ref.$ref : undefined;
    if (typeof target !== "string" || !target.startsWith(errorGroupPrefix)) {
      fail(`${String(method.name)}: malformed error-groups reference`);
    }
    const group = groups.get(target.slice(errorGroupPrefix.length));
    if (group === undefined) fail(`${String(method.name)}: unknown error group ${target}`);
    for (const error of group) {
      if (codes.has(error.code ?? null)) continue;
      merged.push({
        code: error.code ?? null,
        message: error.message ?? null,
        ...(error.data === undefined ? {} : { data: error.data }),
      });
    }
  }
  const resolved: JsonObject = { ...method, errors: merged };
  delete resolved["error-groups"];
  return resolved;
}

const [root, output] = process.argv.slice(2);
if (root === undefined || output === undefined) {
  process.stderr.write(
    "usage: node scripts/assembleExecutionApis.ts <execution-apis checkout> <output.json>\n",
  );
  process.exitCode = 2;
} else {
  const document = await assemble(root);
  await writeFile(output, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(
    `${(document.methods as Json[]).length} methods, ${Object.keys((document.components as JsonObject).schemas as JsonObject).length} schemas → ${output}\n`,
  );
}
