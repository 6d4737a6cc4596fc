import { readFile } from "node:fs/promises";
import type { CohortInclusionProof } from "../../src/consentIndex/index.ts";
import { CustosError, isCustosError } from "../../src/errors/index.ts";

/** One entry of a data service's accounting: a query whose consent snapshot held the subject. */
export interface SourceDisclosure {
  readonly queryId: string;
  readonly consentRoot: `0x${string}`;
  readonly counted: boolean;
}

/** A data service's proof of one entry. */
export interface SourceDisclosureProof extends SourceDisclosure {
  readonly subject: `0x${string}`;
  readonly proof: CohortInclusionProof;
}

/**
 * The node's way to its hospital's accounting of disclosures, which only the custodian's data
 * service can keep (it alone knows its persons and their snapshots).
 */
export interface DisclosureSource {
  /** The hospital whose data service is linked, or null when none is. */
  custodian(): Promise<number | null>;
  /** The hospital's pseudonym of a patient identifier. */
  pseudonymOf(identifier: string): Promise<`0x${string}`>;
  /** A page of the subject's entries, newest first. */
  list(
    subject: string,
    page: { readonly cursor?: string; readonly limit?: number },
  ): Promise<{ readonly items: readonly SourceDisclosure[]; readonly next: string | null }>;
  /** An entry's inclusion proof, or undefined when the query did not run over the subject. */
  prove(subject: string, queryId: string): Promise<SourceDisclosureProof | undefined>;
}

interface Connection {
  readonly url: string;
  readonly hospitalId: number;
  readonly adminToken: string;
}

function notLinked(reason: string): CustosError {
  return new CustosError(
    "AUDIT_API_NOT_CUSTODIAN",
    "this node has no data service linked, so it keeps no accounting of disclosures",
    { details: { reason } },
  );
}

async function readConnection(file: string): Promise<Connection | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Connection>;
    if (
      typeof parsed.url === "string" &&
      /^https?:\/\//.test(parsed.url) &&
      Number.isSafeInteger(parsed.hospitalId) &&
      typeof parsed.adminToken === "string"
    ) {
      return parsed as Connection;
    }
  } catch {
    // Reported below, as for any other malformed file.
  }
  throw new CustosError("CONFIG_INVALID", "portal.dataServiceConnectionFile is malformed", {
    details: { field: "portal.dataServiceConnectionFile", reason: "not a connection file" },
  });
}

/**
 * A {@link DisclosureSource} over the data service named by its connection file (written by
 * the service at start, `<dataDir>/connection.json`). The file is read on each call, so a
 * service started after the node, restarted on another port or given a new token is found.
 * Calls time out after `timeoutMs`.
 *
 * @example
 * ```ts
 * const source = createDisclosureSource({ connectionFile: "data-service/connection.json" });
 * ```
 */
export function createDisclosureSource(options: {
  readonly connectionFile: string;
  readonly timeoutMs?: number;
}): DisclosureSource {
  const timeoutMs = options.timeoutMs ?? 10_000;

  const call = async (path: string, init: RequestInit = {}): Promise<unknown> => {
    const connection = await readConnection(options.connectionFile);
    if (connection === null) throw notLinked("no connection file");
    const url = `${connection.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        headers: { authorization: `Bearer ${connection.adminToken}`, ...init.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new CustosError(
        "DATA_SERVICE_UNAVAILABLE",
        "the hospital's data service is unreachable",
        {
          details: {
            url: connection.url,
            reason: (error as Error).name === "TimeoutError" ? "timeout" : "network",
          },
        },
      );
    }
    let body: { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new CustosError("DATA_SERVICE_BAD_RESPONSE", "the data service answered no JSON", {
        details: { url: connection.url, field: "body" },
      });
    }
    if (response.ok) return body;
    const code = body.error?.code;
    if (code === "DATA_SERVICE_QUERY_UNKNOWN") return undefined;
    if (code === "INVALID_ARGUMENT") {
      throw new CustosError("INVALID_ARGUMENT", body.error?.message ?? "invalid argument", {
        details: body.error?.details ?? {},
      });
    }
    throw new CustosError("DATA_SERVICE_UNAVAILABLE", "the data service refused the request", {
      details: { url: connection.url, reason: "status", status: response.status },
    });
  };

  return {
    async custodian() {
      try {
        return (await readConnection(options.connectionFile))?.hospitalId ?? null;
      } catch (error) {
        if (isCustosError(error)) return null;
        throw error;
      }
    },
    async pseudonymOf(identifier) {
      const answer = (await call("/admin/subjects/pseudonym", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identifier }),
      })) as { subject?: unknown };
      if (typeof answer?.subject !== "string") {
        throw new CustosError("DATA_SERVICE_BAD_RESPONSE", "the data service gave no pseudonym", {
          details: { field: "subject" },
        });
      }
      return answer.subject as `0x${string}`;
    },
    async list(subject, page) {
      const query = new URLSearchParams();
      if (page.cursor !== undefined) query.set("cursor", page.cursor);
      if (page.limit !== undefined) query.set("limit", String(page.limit));
      const answer = (await call(`/admin/disclosures/${encodeURIComponent(subject)}?${query}`)) as {
        items?: unknown;
        next?: unknown;
      };
      if (!Array.isArray(answer?.items)) {
        throw new CustosError("DATA_SERVICE_BAD_RESPONSE", "the data service gave no list", {
          details: { field: "items" },
        });
      }
      return {
        items: answer.items as SourceDisclosure[],
        next: typeof answer.next === "string" ? answer.next : null,
      };
    },
    async prove(subject, queryId) {
      return (await call(
        `/admin/disclosures/${encodeURIComponent(subject)}/${encodeURIComponent(queryId)}/proof`,
      )) as SourceDisclosureProof | undefined;
    },
  };
}
