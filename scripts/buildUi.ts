/**
 * Writes the dashboard and portal bundles into dist/nodes/dashboard/assets/ (part of
 * `npm run build`), so an installed package serves them without esbuild or the sources.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildUiBundles } from "../nodes/dashboard/index.ts";

const out = join(import.meta.dirname, "..", "dist", "nodes", "dashboard", "assets");
await mkdir(out, { recursive: true });
for (const [name, asset] of await buildUiBundles()) {
  await writeFile(join(out, name), asset.body);
  console.log(`${name}: ${asset.body.length} bytes`);
}
