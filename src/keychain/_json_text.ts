// JSON read and written back without losing what it was written as: every
// number, string, `true`, `false` and `null` keeps its text, so that a value
// JSON.parse would round (an integer above 2^53) or respell (an escape)
// comes out as it went in. Only the whitespace between tokens is rewritten,
// as docker writes its config.json: tab-indented.

/** A number, string or literal, kept as its source text. */
export interface JsonScalar {
  readonly kind: "scalar";
  readonly text: string;
}

/** An array, in order. */
export interface JsonArray {
  readonly kind: "array";
  readonly items: JsonNode[];
}

/** One member of an object: its key (decoded), and the key's source text. */
export interface JsonMember {
  readonly key: string;
  readonly keyText: string;
  value: JsonNode;
}

/** An object, its members in order, duplicates kept. */
export interface JsonObject {
  readonly kind: "object";
  members: JsonMember[];
}

/** A JSON value with its scalars' text. */
export type JsonNode = JsonScalar | JsonArray | JsonObject;

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

/**
 * Parses JSON text, keeping each scalar's text.
 *
 * @throws {SyntaxError} when the text is not JSON; the message gives the offset only, never the text.
 */
export function parseJsonText(text: string): JsonNode {
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.space();
  if (parser.at < text.length) parser.fail();
  return value;
}

class Parser {
  at = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw new SyntaxError(`Invalid JSON at offset ${this.at}`);
  }

  space(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  token(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.at = pattern.lastIndex;
    return match[0];
  }

  value(depth: number): JsonNode {
    if (depth > 512) this.fail();
    this.space();
    const next = this.text[this.at];
    if (next === "{") return this.object(depth);
    if (next === "[") return this.array(depth);
    const text = this.token(STRING) ?? this.token(NUMBER) ?? this.token(LITERAL);
    if (text === undefined) this.fail();
    return { kind: "scalar", text };
  }

  object(depth: number): JsonObject {
    this.at++;
    const members: JsonMember[] = [];
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return { kind: "object", members };
    }
    for (;;) {
      this.space();
      const keyText = this.token(STRING);
      if (keyText === undefined) this.fail();
      this.space();
      if (this.text[this.at++] !== ":") this.fail();
      members.push({ key: JSON.parse(keyText) as string, keyText, value: this.value(depth + 1) });
      this.space();
      const separator = this.text[this.at++];
      if (separator === "}") return { kind: "object", members };
      if (separator !== ",") this.fail();
    }
  }

  array(depth: number): JsonArray {
    this.at++;
    const items: JsonNode[] = [];
    this.space();
    if (this.text[this.at] === "]") {
      this.at++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.space();
      const separator = this.text[this.at++];
      if (separator === "]") return { kind: "array", items };
      if (separator !== ",") this.fail();
    }
  }
}

/** The text of a parsed value, tab-indented as `JSON.stringify(value, null, "\t")` would lay it out, each scalar as it was written. */
export function formatJsonText(node: JsonNode, indent = ""): string {
  const inner = `${indent}\t`;
  switch (node.kind) {
    case "scalar":
      return node.text;
    case "array":
      if (node.items.length === 0) return "[]";
      return `[\n${node.items.map((item) => `${inner}${formatJsonText(item, inner)}`).join(",\n")}\n${indent}]`;
    case "object":
      if (node.members.length === 0) return "{}";
      return `{\n${node.members.map((m) => `${inner}${m.keyText}: ${formatJsonText(m.value, inner)}`).join(",\n")}\n${indent}}`;
  }
}

/** A new scalar or object from a plain value (strings and objects of strings: what a config entry holds). */
export function jsonNode(value: string | Readonly<Record<string, string>>): JsonNode {
  if (typeof value === "string") return { kind: "scalar", text: JSON.stringify(value) };
  return { kind: "object", members: Object.entries(value).map(([key, item]) => ({ key, keyText: JSON.stringify(key), value: jsonNode(item) })) };
}

/** The value of `key` in `object` (the last, where a key is repeated, as JSON.parse takes it). */
export function memberValue(object: JsonObject, key: string): JsonNode | undefined {
  return object.members.findLast((member) => member.key === key)?.value;
}
