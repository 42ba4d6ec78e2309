/**
 * Tests that need a program skip with a reason naming it and the package that brings it, so
 * that `npm test`'s summary says exactly what to install.
 */
import { findProgram } from "named-pipe-tools";

/** Programs tests use, and where they come from: [Debian/Ubuntu packages, Homebrew formula]. */
export const PROGRAM_PACKAGES: Readonly<Record<string, readonly [string, string]>> = {
  "espeak-ng": ["espeak-ng", "espeak-ng"],
  pocketsphinx_continuous: ["pocketsphinx pocketsphinx-en-us", "cmu-pocketsphinx"],
  pulseaudio: ["pulseaudio", "pulseaudio"],
  pacat: ["pulseaudio-utils", "pulseaudio"],
  parec: ["pulseaudio-utils", "pulseaudio"],
  paplay: ["pulseaudio-utils", "pulseaudio"],
  pactl: ["pulseaudio-utils", "pulseaudio"],
  aplay: ["alsa-utils", "(none: use SoX's play)"],
  sox: ["sox", "sox"],
  python3: ["python3", "python"],
  "nats-server": ["nats-server", "nats-server"],
  tmux: ["tmux", "tmux"],
  cc: ["gcc", "(Xcode command line tools)"],
};

/**
 * A skip reason when any of `programs` is not on PATH, else false: use it as
 * `test(name, { skip: needs("espeak-ng") }, fn)`. The reason names the programs and the
 * packages that bring them (`missing espeak-ng: apt-get install espeak-ng / brew install
 * espeak-ng`).
 */
export function needs(...programs: string[]): string | false {
  const missing = programs.filter((p) => findProgram(p) === undefined);
  if (missing.length === 0) return false;
  const debian = new Set<string>();
  const brew = new Set<string>();
  for (const p of missing) {
    const [deb, mac] = PROGRAM_PACKAGES[p] ?? [p, p];
    debian.add(deb);
    brew.add(mac);
  }
  return `missing ${missing.join(", ")}: apt-get install ${[...debian].join(" ")} / brew install ${[...brew].join(" ")}`;
}
