/**
 * A command or config in our docs never names an npm package we do not own: `npx cpipe` would
 * run whatever a stranger publishes as `cpipe`. Every package an `npm install`, `npx` or
 * `npx -p` in the docs names is one of ours, or a third-party package we mean on purpose.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "named-pipe-tools-testkit";
import { PUBLISHED } from "./installed.js";

/** Third-party packages the docs name deliberately, and why. */
const THIRD_PARTY: Readonly<Record<string, string>> = {
  zod: "the library's argument schemas (a dependency of ours)",
  typescript: "compiling the quick start",
  "@modelcontextprotocol/server-memory": "an example MCP server to wrap",
  "@fugood/whisper.node": "the whisper.cpp binding, an optional peer of the stt package",
  "@fugood/node-whisper-linux-x64": "the whisper.cpp binding's Linux build alone (2.8 MB)",
  "sherpa-onnx-node": "the sherpa-onnx binding, an optional peer of the stt and tts packages",
};

const OURS = new Set(Object.values(PUBLISHED));

function docs(): string[] {
  const files = ["README.md", ".claude/skills/cpipe/SKILL.md", "bench/README.md"];
  for (const pkg of readdirSync(path.join(ROOT, "packages"))) {
    for (const name of readdirSync(path.join(ROOT, "packages", pkg))) {
      if (name.endsWith(".md")) files.push(path.join("packages", pkg, name));
    }
  }
  return files;
}

/** The code in a Markdown text: fenced blocks and inline spans, without `#` comments. */
function code(markdown: string): string {
  const blocks = [...markdown.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const inline = [...markdown.replace(/^```\w*\n[\s\S]*?^```$/gm, "").matchAll(/`([^`\n]+)`/g)].map(
    (m) => m[1]!,
  );
  return [...blocks, ...inline].map((c) => c.replace(/(^|\s)#.*$/gm, "")).join("\n");
}

/** Package names that npm/npx commands and JSON configs in `text` would fetch. */
function namedPackages(text: string): string[] {
  const names: string[] = [];
  const strip = (spec: string): string => spec.replace(/^(@?[^@\s]+)@.*$/, "$1");
  for (const [, rest] of text.matchAll(/\bnpm (?:install|i|add)\b([^\n`;&|]*)/g)) {
    for (const word of rest!.trim().split(/\s+/)) {
      if (word === "" || word.startsWith("-") || (word.includes("/") && !word.startsWith("@")))
        continue;
      names.push(strip(word));
    }
  }
  for (const [, rest] of text.matchAll(/\bnpx[ \t]+([^\n`;&|"]*)/g)) {
    const words = rest!.trim().split(/\s+/);
    let explicit = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === "-p" || w === "--package") {
        names.push(strip(words[++i] ?? ""));
        explicit = true;
      } else if (w === "-y" || w === "--yes") continue;
      else {
        // Without -p, npx runs the package named by its first word.
        if (!explicit) names.push(strip(w));
        break;
      }
    }
  }
  for (const [, args] of text.matchAll(/"command":\s*"npx",\s*"args":\s*\[([^\]]*)\]/g)) {
    const words = JSON.parse(`[${args}]`) as string[];
    names.push(...namedPackages(`npx ${words.join(" ")}`));
  }
  return names.filter((n) => n !== "");
}

test("the docs' npm and npx commands name only our packages or deliberate third-party ones", () => {
  const strangers: string[] = [];
  for (const file of docs()) {
    const text = code(readFileSync(path.join(ROOT, file), "utf8"));
    for (const name of namedPackages(text)) {
      if (!OURS.has(name) && !Object.hasOwn(THIRD_PARTY, name)) strangers.push(`${file}: ${name}`);
    }
  }
  assert.deepEqual(strangers, []);
});

test("the check itself catches the old mistake", () => {
  assert.deepEqual(namedPackages('{"command":"npx","args":["cpipe","mcp"]}'), ["cpipe"]);
  assert.deepEqual(namedPackages(code("run `npx cpipe demo ping` # or not")), ["cpipe"]);
  assert.deepEqual(namedPackages(code("```sh\ncpipe demo ping   # not npx foo\n```")), []);
  assert.deepEqual(namedPackages("npx -y -p named-pipe-tools cpipe mcp"), ["named-pipe-tools"]);
  assert.deepEqual(namedPackages("npm install -g named-pipe-tools zod@4"), [
    "named-pipe-tools",
    "zod",
  ]);
});
