// C0 and C1 controls, DEL, and the Unicode line separators and bidi overrides:
// anything that can move the cursor, retitle the window (OSC), ring the bell,
// or make a line read differently from what it holds.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` made safe to print on a terminal: every control character is shown
 * as an escape (`\x1b`, `\u202e`) instead of being obeyed. Registries, token
 * servers and credential helpers choose the text of their errors; a terminal
 * must never act on it.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
