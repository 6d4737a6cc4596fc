import type { FastifyInstance } from "fastify";
import { CustosError } from "../../src/errors/index.ts";
import { type UiAsset, type UiEntry, uiEntries } from "./buildUiBundles.ts";
import { loadUiBundles } from "./loadUiBundles.ts";

const pages: Record<UiEntry, { title: string; element: string }> = {
  dashboard: { title: "Custos dashboard", element: "custos-dashboard" },
  portal: { title: "Custos patient portal", element: "custos-portal" },
};

/**
 * Only this origin's scripts run, nothing is framed, and no request leaves for another
 * origin: the pages hold session tokens and, in the portal, a patient's consent.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function page(entry: UiEntry): string {
  const { title, element } = pages[entry];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<script type="module" src="/${entry}/assets/${entry}.js"></script>
</head>
<body>
<${element}></${element}>
</body>
</html>
`;
}

/**
 * Serves the dashboard at `/dashboard` and the patient portal at `/portal`, each an HTML
 * shell and its bundle under `/<page>/assets/`. The bundles are loaded (or built) once, on the
 * first request, so a node that nobody browses never runs esbuild.
 *
 * @example
 * ```ts
 * registerDashboard(server.fastify);
 * ```
 */
export function registerDashboard(
  app: FastifyInstance,
  build: () => Promise<ReadonlyMap<string, UiAsset>> = loadUiBundles,
): void {
  let assets: Promise<ReadonlyMap<string, UiAsset>> | undefined;
  const built = () => {
    assets ??= build();
    // A failed build is tried again on the next request.
    assets.catch(() => {
      assets = undefined;
    });
    return assets;
  };
  for (const entry of uiEntries) {
    app.get(`/${entry}`, async (_request, reply) =>
      reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .send(page(entry)),
    );
    app.get<{ Params: { name: string } }>(`/${entry}/assets/:name`, async (request, reply) => {
      const asset = (await built()).get(request.params.name);
      if (asset === undefined) {
        const error = new CustosError("INVALID_ARGUMENT", `no asset ${request.params.name}`, {
          details: { field: "name" },
        });
        return reply.code(404).send({ error: error.toJSON() });
      }
      return reply
        .type(asset.contentType)
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .send(Buffer.from(asset.body));
    });
  }
}
