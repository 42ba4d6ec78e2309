/**
 * The Info tab's facts: the machine, Node, the installed packages and server types with the
 * engines they need, and the pipe directory with its permissions. Gathered asynchronously
 * (a few short `--version` runs) when the tab opens.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KNOWN_SERVER_TYPES, PIPE_DIR_ENV, findPackage, findProgram } from "named-pipe-tools";

/** One labelled line. */
export interface InfoLine {
  label: string;
  value: string;
  /** Something the user should look at (a missing engine, a shared directory). */
  warn?: boolean;
}

/** A titled group of lines. */
export interface InfoSection {
  title: string;
  lines: InfoLine[];
}

function packageVersion(name: string, from?: string): string | undefined {
  const dir = findPackage(name, from);
  if (dir === undefined) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "?";
  } catch {
    return "?";
  }
}

function firstLine(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 3000 }, (err, stdout, stderr) => {
      const text = `${stdout}${stderr}`.trim().split("\n")[0]?.trim();
      resolve(err === null && text !== undefined && text !== "" ? text : undefined);
    });
  });
}

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

function machine(): InfoSection {
  const cpus = os.cpus();
  return {
    title: "Machine",
    lines: [
      { label: "host", value: `${os.hostname()} · ${os.type()} ${os.release()} · ${os.arch()}` },
      {
        label: "cpu",
        value: `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown"} · load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")}`,
      },
      { label: "memory", value: `${gib(os.totalmem())} total, ${gib(os.freemem())} free` },
      { label: "node", value: `${process.version} (${process.execPath})` },
    ],
  };
}

function packages(): InfoSection {
  const names = ["named-pipe-tools", "named-pipe-tools-dashboard", "ink", "react"];
  return {
    title: "Packages",
    lines: names.map((n) => {
      // Ink and React are found from this package's own place (they are its dependencies).
      const v =
        packageVersion(n) ?? packageVersion(n, fileURLToPath(new URL(".", import.meta.url)));
      return { label: n, value: v ?? "not found", ...(v === undefined ? { warn: true } : {}) };
    }),
  };
}

async function engines(type: string, pkgDir: string | undefined): Promise<string> {
  switch (type) {
    case "tts": {
      const espeak = findProgram("espeak-ng");
      if (espeak === undefined) return "espeak-ng: not found (apt install espeak-ng)";
      const v = await firstLine(espeak, ["--version"]);
      // "eSpeak NG text-to-speech: 1.51  Data at: ..." -> "espeak-ng 1.51"
      const version = /text-to-speech:\s*(\S+)/.exec(v ?? "")?.[1];
      return `espeak-ng ${version ?? "(version unknown)"} (${espeak})`;
    }
    case "stt": {
      const ps = findProgram("pocketsphinx_continuous");
      const model = [
        "/usr/share/pocketsphinx/model/en-us/en-us",
        "/usr/share/pocketsphinx/model/en-us",
      ].find(existsSync);
      const whisper = packageVersion("@fugood/whisper.node", pkgDir);
      return [
        ps === undefined ? "pocketsphinx: not found" : `pocketsphinx (${ps})`,
        model === undefined ? "no en-us model" : "en-us model",
        whisper === undefined ? "whisper binding: not installed" : `whisper binding ${whisper}`,
      ].join(" · ");
    }
    case "chat": {
      const llama = packageVersion("node-llama-cpp", pkgDir);
      const modelsDir = path.join(os.homedir(), ".node-llama-cpp", "models");
      let models = 0;
      try {
        models = readdirSync(modelsDir).filter((f) => f.endsWith(".gguf")).length;
      } catch {
        models = 0;
      }
      return `${llama === undefined ? "node-llama-cpp: not installed" : `node-llama-cpp ${llama}`} · ${models} model${models === 1 ? "" : "s"} in ~/.node-llama-cpp/models`;
    }
    case "mcp": {
      const sdk = packageVersion("@modelcontextprotocol/sdk", pkgDir);
      return sdk === undefined
        ? "@modelcontextprotocol/sdk: not installed"
        : `@modelcontextprotocol/sdk ${sdk}`;
    }
    default:
      return "no engine needed";
  }
}

async function serverTypes(): Promise<InfoSection> {
  const lines = await Promise.all(
    Object.entries(KNOWN_SERVER_TYPES).map(async ([type, known]): Promise<InfoLine> => {
      if (known.packageName === undefined)
        return { label: type, value: `built in · ${await engines(type, undefined)}` };
      const dir = findPackage(known.packageName);
      if (dir === undefined)
        return { label: type, value: `${known.packageName}: not installed`, warn: true };
      const v = packageVersion(known.packageName) ?? "?";
      const e = await engines(type, dir);
      return {
        label: type,
        value: `${known.packageName} ${v} · ${e}`,
        ...(/not (found|installed)/.test(e) ? { warn: true } : {}),
      };
    }),
  );
  return { title: "Server types", lines };
}

/** Describes a directory's mode the way the user needs it: who else can use it. */
export async function describeDir(dir: string): Promise<InfoLine[]> {
  const from =
    process.env[PIPE_DIR_ENV] !== undefined && process.env[PIPE_DIR_ENV] !== ""
      ? `$${PIPE_DIR_ENV}`
      : "default";
  try {
    const st = await stat(dir);
    const mode = st.mode & 0o7777;
    const mine = typeof process.getuid === "function" ? st.uid === process.getuid() : true;
    const shared = (mode & 0o022) !== 0;
    const sticky = (mode & 0o1000) !== 0;
    const access = !mine
      ? "owned by another user"
      : shared
        ? sticky
          ? "shared with other users (sticky: they cannot remove your pipes; ours are mode 0600)"
          : "writable by other users without the sticky bit: they could replace your pipes"
        : (mode & 0o077) === 0
          ? "private to you"
          : "readable by others, writable only by you";
    return [
      { label: "dir", value: `${dir} (${from})` },
      {
        label: "mode",
        value: `${mode.toString(8).padStart(4, "0")} · uid ${st.uid} · ${access}`,
        ...(mine && (!shared || sticky) ? {} : { warn: true }),
      },
    ];
  } catch (err) {
    return [
      { label: "dir", value: `${dir} (${from})` },
      { label: "mode", value: (err as Error).message, warn: true },
    ];
  }
}

/** Gathers every section. */
export async function gatherInfo(dir: string): Promise<InfoSection[]> {
  const [types, dirLines] = await Promise.all([serverTypes(), describeDir(dir)]);
  return [machine(), { title: "Pipe directory", lines: dirLines }, types, packages()];
}
