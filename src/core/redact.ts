/**
 * Secrets never printed: what masks credentials in text we did not write ourselves — a URL a user gave
 * (`http://user:pw@host/`), a server's answer that echoes an Authorization header. The logger also masks
 * every secret it was told about; this catches the ones it could not have been told about.
 */
export const MASK = '***';

/** `scheme://user:password@host` → `scheme://***@host`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, `$1${MASK}@`);
}

/** `Basic dXNlcjpwdw==`, `Bearer eyJ…` (8 characters or more: "Basic auth" is prose), `password=…`, `token=…` → the word, then ***. */
export function maskAuth(text: string): string {
  return text
    .replace(/\b(Basic|Bearer|Digest)(\s+)[A-Za-z0-9+/=._~-]{8,}/g, `$1$2${MASK}`)
    .replace(/\b(password|passwd|token|access_token)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi, `$1$2${MASK}`);
}

/** Both masks: for anything from outside that may end up in a message. */
export function maskSecrets(text: string): string {
  return maskAuth(maskUrlCredentials(text));
}
