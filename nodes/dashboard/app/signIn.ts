import { css, html, LitElement } from "lit";
import type { AuditClient } from "./auditClient.ts";
import { browserWallet, personalSign, walletAccount } from "./wallet.ts";

/** What a sign-in answers (`POST /audit/v1/session`). */
export interface Session {
  readonly token: string;
  readonly session: {
    readonly kind: "staff" | "patient";
    readonly address: string;
    readonly custodian?: number;
    readonly subject?: string;
  };
  readonly expiresAt: number;
}

/** Signs in with a browser wallet: a one-time challenge, `personal_sign`, a bearer token. */
export async function signIn(
  client: AuditClient,
  patient?: { readonly custodian: number; readonly subject: string },
): Promise<Session> {
  const wallet = browserWallet();
  if (wallet === undefined) throw new Error("no browser wallet (window.ethereum) to sign in with");
  const account = await walletAccount(wallet);
  const challenge = await client.get<{ nonce: string; message: string }>("/session/challenge");
  const signature = await personalSign(wallet, account, challenge.message);
  const session = await client.post<Session>("/session", {
    nonce: challenge.nonce,
    signature,
    ...(patient === undefined ? {} : { patient }),
  });
  client.setToken(session.token);
  return session;
}

/** The staff sign-in bar: a button, then who is signed in. Fires `signed-in`. */
export class SignInBar extends LitElement {
  static override properties = { session: { state: true }, failure: { state: true } };
  static override styles = css`
    :host { display: flex; gap: 1rem; align-items: center; justify-content: flex-end; }
    .failure { color: #a00; }
    code { font-size: 0.85em; }
  `;

  declare session: Session | undefined;
  declare failure: string | undefined;
  client: AuditClient | undefined;

  async #signIn(): Promise<void> {
    if (this.client === undefined) return;
    try {
      this.session = await signIn(this.client);
      this.failure = undefined;
      this.dispatchEvent(new CustomEvent("signed-in", { bubbles: true, composed: true }));
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    if (this.session !== undefined) {
      return html`<span data-field="signedIn">Signed in as <code>${this.session.session.address}</code></span>`;
    }
    return html`
      ${this.failure === undefined ? "" : html`<span class="failure" data-field="signInFailure">${this.failure}</span>`}
      <button data-action="signIn" @click=${() => this.#signIn()}>Sign in with wallet</button>
    `;
  }
}
customElements.define("custos-sign-in", SignInBar);
