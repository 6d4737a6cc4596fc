/** The slice of an EIP-1193 provider (a browser wallet) that sign-in uses. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** The page's wallet (`window.ethereum`), or undefined when none is installed. */
export function browserWallet(): Eip1193Provider | undefined {
  return (globalThis as { ethereum?: Eip1193Provider }).ethereum;
}

/** The wallet's first account, asking the user to connect it. */
export async function walletAccount(wallet: Eip1193Provider): Promise<string> {
  const accounts = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
  const [account] = accounts;
  if (account === undefined) throw new Error("the wallet shared no account");
  return account;
}

/** `personal_sign` of a UTF-8 message (EIP-191), hex-encoded as wallets expect. */
export async function personalSign(
  wallet: Eip1193Provider,
  account: string,
  message: string,
): Promise<string> {
  const hex = `0x${Array.from(new TextEncoder().encode(message), (b) => b.toString(16).padStart(2, "0")).join("")}`;
  return (await wallet.request({ method: "personal_sign", params: [hex, account] })) as string;
}

/** `eth_signTypedData_v4` of EIP-712 typed data given as JSON (bigints as decimal strings). */
export async function signTypedData(
  wallet: Eip1193Provider,
  account: string,
  typedData: {
    readonly domain: Record<string, unknown>;
    readonly types: Record<string, readonly { readonly name: string; readonly type: string }[]>;
    readonly primaryType: string;
    readonly message: Record<string, unknown>;
  },
): Promise<string> {
  const domainFields = [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ].filter((field) => field.name in typedData.domain);
  const payload = { ...typedData, types: { EIP712Domain: domainFields, ...typedData.types } };
  return (await wallet.request({
    method: "eth_signTypedData_v4",
    params: [account, JSON.stringify(payload)],
  })) as string;
}
