/**
 * pino redaction paths for secrets at the top level and one level down (pino paths do not
 * recurse; {@link scrubLogFields} covers deeper nesting). Values are replaced by `[redacted]`.
 */
export const secretRedactPaths: readonly string[] = [
  "key",
  "*.key",
  "privateKey",
  "*.privateKey",
  "masterKey",
  "*.masterKey",
  "password",
  "*.password",
  "passphrase",
  "*.passphrase",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
];

/** The text that replaces a redacted secret. */
export const REDACTED = "[redacted]";
