import { withoutSentSecrets } from "./_sent_secrets.ts";

// C0 and C1 controls, DEL, and the Unicode line separators and bidi overrides:
// anything that can move the cursor, retitle the window (OSC), ring the bell,
// or make a line read differently from what it holds.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// What may follow an "@" in a reference without being a host: a digest.
const DIGEST_AHEAD = "(?![a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})";
// `scheme://user:password@host` or `//user@host`: everything from "//" to the
// last "@" of the word that is not a digest's.
const URL_USER_INFO = new RegExp(`(\\/\\/)[^\\s"'<>]*@${DIGEST_AHEAD}(?=[^\\s@])`, "g");
// `user:password@host` as a word of its own: a colon before the "@". A bare
// `name@host` is left alone: it is as likely an e-mail address.
const BARE_USER_INFO = new RegExp(`(^|[\\s"'(<=,;])[^\\s/@"'<>]*:(?!\\/\\/)[^\\s"'<>]*@${DIGEST_AHEAD}(?=[^\\s@])`, "g");

/**
 * `text` made safe to print on a terminal: the user information of any URL
 * or `user:password@host` in it replaced by `***`, every credential this
 * process has sent cut out (a registry may echo its `Authorization` header),
 * and every control character shown as an escape (`\x1b`, `\u202e`) instead
 * of being obeyed. Registries, token servers and credential helpers choose
 * the text of their errors; a terminal must never act on it, nor show a
 * secret.
 */
export function terminalSafe(text: string): string {
  return withoutUserInfoIn(withoutSentSecrets(text)).replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** `text` with the user information of every URL, and of every `user:password@host` word, replaced by `***`. */
export function withoutUserInfoIn(text: string): string {
  return text.replace(URL_USER_INFO, "$1***@").replace(BARE_USER_INFO, "$1***@");
}
