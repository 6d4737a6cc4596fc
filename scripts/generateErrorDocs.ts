import { readFile, writeFile } from "node:fs/promises";
import { renderErrorDocs } from "../src/errors/index.ts";

const target = new URL("../docs/errors.md", import.meta.url);
const expected = renderErrorDocs();

if (process.argv.includes("--check")) {
  const actual = await readFile(target, "utf8").catch(() => "");
  if (actual !== expected) {
    console.error("docs/errors.md is stale: run `npm run docs:errors`");
    process.exit(1);
  }
} else {
  await writeFile(target, expected);
  console.log("wrote docs/errors.md");
}
