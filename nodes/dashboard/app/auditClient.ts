/** An error answer of the audit API: its stable code, message and details. */
export class AuditApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    body: { code: string; message: string; details?: Record<string, unknown> },
  ) {
    super(`${body.code}: ${body.message}`);
    this.code = body.code;
    this.status = status;
    this.details = body.details ?? {};
  }
}

/**
 * The browser's client of the node's audit API (`/audit/v1`): JSON over fetch, a session
 * token when signed in, and typed errors from the API's `{ error }` bodies.
 */
export class AuditClient {
  readonly #base: string;
  #token: string | null = null;

  constructor(base = "/audit/v1") {
    this.#base = base;
  }

  /** Uses `token` (from a sign-in) on every later request; null signs out. */
  setToken(token: string | null): void {
    this.#token = token;
  }

  get signedIn(): boolean {
    return this.#token !== null;
  }

  async get<T>(path: string): Promise<T> {
    return this.#send<T>("GET", path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>("POST", path, body);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.#base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as { error?: { code: string; message: string } } & T;
    if (!response.ok || json.error !== undefined) {
      throw new AuditApiError(
        response.status,
        json.error ?? { code: "INTERNAL", message: response.statusText },
      );
    }
    return json;
  }
}
