/**
 * The live loop: the default microphone and speaker (through the servers' own capture and
 * playback), until Ctrl-C.
 */
import type { AgentHooks } from "./agent.js";
import { VoiceAgent } from "./agent.js";
import type { AgentOptions } from "./options.js";
import { turnJson, turnLines } from "./report.js";
import { agentSettings, openSession } from "./session.js";
import type { Ui } from "./ui.js";

/** Runs the agent until `signal` aborts or a server goes away; resolves with the exit code. */
export async function runLive(opts: AgentOptions, ui: Ui, signal: AbortSignal): Promise<number> {
  const session = await openSession(opts, { dir: opts.dir, start: opts.start, log: ui.info });
  let replying = false;
  const hooks: AgentHooks = {
    log: ui.info,
    onUtterance: (text) => {
      if (text !== "") ui.info(`you: ${text}`);
    },
    onReplyText: (text) => {
      if (!replying) ui.write("agent: ");
      replying = true;
      ui.write(text);
    },
    onTurn: (report) => {
      if (replying) ui.info(report.interrupted ? " [interrupted]" : "");
      replying = false;
      for (const line of turnLines(report)) ui.info(line);
      ui.json(turnJson(report));
    },
  };
  const agent = new VoiceAgent(
    session.clients,
    session.speeches,
    agentSettings(opts, session),
    hooks,
  );
  try {
    agent.start();
    ui.info(`listening through '${opts.names.stt}': speak (Ctrl-C to stop)`);
    const { stt, chat, tts } = session.clients;
    const gone = Promise.race(
      [stt, chat, tts].map((c) => c.closed.then(() => `the ${c.name} server went away`)),
    );
    const stopped = new Promise<undefined>((resolve) =>
      signal.aborted
        ? resolve(undefined)
        : signal.addEventListener("abort", () => resolve(undefined)),
    );
    const why = await Promise.race([gone, stopped]);
    if (why !== undefined) {
      ui.info(why);
      return 1;
    }
    return 0;
  } finally {
    agent.close();
    await agent.idle();
    await session.close();
  }
}
