/**
 * Each package stands alone: every package its source imports is one of its declared
 * dependencies (or peer dependencies), and no source file reaches into another package by a
 * relative path.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "named-pipe-tools-testkit";

const BUILTINS = /^node:/;
const IMPORT_RE = /(?:from\s+|import\s*\(\s*)"([^"]+)"/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

const packageName = (spec: string): string =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;

const PACKAGES = readdirSync(path.join(ROOT, "packages")).filter((p) => p !== "testkit");

for (const pkg of PACKAGES) {
  test(`packages/${pkg}: its imports are declared and stay inside it`, () => {
    const dir = path.join(ROOT, "packages", pkg);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const declared = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const problems: string[] = [];
    for (const file of sources(path.join(dir, "src"))) {
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      for (const [, spec] of code.matchAll(IMPORT_RE)) {
        const where = path.relative(ROOT, file);
        if (spec!.startsWith(".")) {
          const target = path.resolve(path.dirname(file), spec!);
          if (!target.startsWith(path.join(dir, "src") + path.sep)) {
            problems.push(`${where} reaches outside its package: ${spec}`);
          }
        } else if (!BUILTINS.test(spec!) && !declared.has(packageName(spec!))) {
          problems.push(`${where} imports ${spec}, which ${manifest.name} does not declare`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
}
