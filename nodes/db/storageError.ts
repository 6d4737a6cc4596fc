import { CustosError } from "../../src/errors/index.ts";

/** Plain words for the errno codes a data directory meets. */
const reasons: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EEXIST: "exists and is not a directory",
  ENOENT: "no such file or directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EBUSY: "device or resource busy",
  EINVAL: "invalid argument",
};

/** LevelDB's I/O errors carry strerror text, not a code. */
const strerrors: readonly (readonly [RegExp, string])[] = [
  [/permission denied/i, "EACCES"],
  [/operation not permitted/i, "EPERM"],
  [/not a directory/i, "ENOTDIR"],
  [/read-only file system/i, "EROFS"],
  [/no space left/i, "ENOSPC"],
  [/no such file or directory/i, "ENOENT"],
  [/input\/output error/i, "EIO"],
  [/too many open files/i, "EMFILE"],
];

/**
 * The errno code of a storage failure: Node's `code`, or the one LevelDB's message spells.
 *
 * @example
 * ```ts
 * errnoOf(Object.assign(new Error("x"), { code: "EACCES" })); // "EACCES"
 * ```
 */
export function errnoOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return strerrors.find(([pattern]) => pattern.test(message))?.[1];
}

/**
 * The `NODE_START_FAILED` error for a path the node cannot use: the message names the path,
 * the cause in words and its errno code (`cannot use /proc/custos: no such file or directory
 * (ENOENT)`); details carry `path`, `code` and `reason`.
 *
 * @example
 * ```ts
 * throw storageError("/var/lib/custos", error, "cannot create");
 * ```
 */
export function storageError(path: string, cause: unknown, action = "cannot use"): CustosError {
  const code = errnoOf(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  const reason = code === undefined ? message : (reasons[code] ?? message);
  return new CustosError(
    "NODE_START_FAILED",
    `${action} ${path}: ${reason}${code === undefined ? "" : ` (${code})`}`,
    { details: { field: "dataDir", path, code: code ?? "", reason }, cause },
  );
}
