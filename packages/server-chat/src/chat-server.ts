/**
 * The chat tool server: `chat` (streaming) and `chat_blocking` on a backend, with states, a
 * queue for many clients, cancellation and usage figures.
 */
import { performance } from "node:perf_hooks";
import { ToolServer } from "named-pipe-tools";
import type { RequestContext, ToolServerOptions } from "named-pipe-tools";
import { AsyncQueue } from "./async-queue.js";
import type { ChatBackend, GenerateResult } from "./backends/types.js";
import type { ChatArgs, GenerationDefaults } from "./commands.js";
import { chatArgs, messagesOf, optionsOf } from "./commands.js";
import { ChatServerError } from "./errors.js";
import { CHAT_HELP } from "./help.js";
import { SlotQueue } from "./slots.js";

/** States of the chat server (besides the core's `stopping`). */
export type ChatState = "loading" | "idle" | "inferring" | "error";

/** Options of {@link ChatServer}. Defaults in brackets. */
export interface ChatServerOptions extends Partial<ToolServerOptions> {
  /** The backend that generates. */
  backend: ChatBackend;
  /** Defaults of the per-request options [max_tokens 256, temperature 0]. */
  defaults?: Partial<GenerationDefaults>;
  /** Requests allowed to wait for a free slot; more are refused with `queue_full` [64]. */
  maxQueue?: number;
}

/** Figures on the final message of a generation. */
export interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** From the request's arrival to the first text, in ms (includes waiting in the queue). */
  ttft_ms: number | null;
  /** From the request's arrival to the end, in ms. */
  duration_ms: number;
  /** Generated tokens per second after the first one. */
  tokens_per_s: number | null;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * A chat tool server. Loading starts at once (state `loading`); requests that arrive meanwhile
 * wait for it. `ready` resolves when the model is loaded (and rejects when it failed: state
 * `error`, and every request gets an error event).
 */
export class ChatServer extends ToolServer {
  /** The backend. */
  readonly backend: ChatBackend;
  /** Resolves once the backend is loaded. */
  readonly ready: Promise<void>;

  readonly #slots: SlotQueue;
  readonly #defaults: GenerationDefaults;
  readonly #loadAbort = new AbortController();
  readonly #running = new Set<Promise<unknown>>();
  readonly #maxQueue: number;
  readonly #logLine: (line: string) => void;
  #loaded = false;
  #loadError: Error | undefined;
  #disposed: Promise<void> | undefined;

  constructor(options: ChatServerOptions) {
    const { backend, defaults, maxQueue, ...serverOptions } = options;
    // get_config reads this server's state, which exists only after super() returns.
    const configRef: { get?: () => Record<string, unknown> } = {};
    super({
      name: "chat",
      description:
        "LLM chat: streams tokens from a local GGUF model or an OpenAI-compatible server",
      help: CHAT_HELP,
      interfaceName: "chat",
      ...serverOptions,
      initialState: "loading",
      config: () => configRef.get?.() ?? {},
    });
    configRef.get = () => this.#config();
    this.backend = backend;
    this.#maxQueue = maxQueue ?? 64;
    const log = serverOptions.log;
    this.#logLine =
      log === null
        ? () => undefined
        : (log ?? ((line) => process.stderr.write(`[${this.name}] ${line}\n`)));
    this.#defaults = {
      maxTokens: defaults?.maxTokens ?? 256,
      temperature: defaults?.temperature ?? 0,
      topP: defaults?.topP,
      seed: defaults?.seed,
    };
    this.#slots = new SlotQueue(backend.parallel, this.#maxQueue, () => this.#updateState());
    this.command(
      "chat",
      {
        description: "Generate a reply, streamed as token events, with usage on the final one.",
        args: chatArgs,
        stream: true,
      },
      (args, ctx) => this.#chatStream(args, ctx),
    );
    this.command(
      "chat_blocking",
      {
        description: "Generate a reply and send it whole as a reply event.",
        args: chatArgs,
        reply: "reply",
      },
      (args, ctx) => this.#chatBlocking(args, ctx),
    );
    this.ready = this.#load();
    this.ready.catch(() => undefined); // reported through the state and to each request
  }

  async #load(): Promise<void> {
    try {
      await this.backend.load(this.#loadAbort.signal);
      this.#loaded = true;
    } catch (err) {
      this.#loadError = err as Error;
      if (!this.#loadAbort.signal.aborted)
        this.#log(`model failed to load: ${(err as Error).message}`);
      throw err;
    } finally {
      this.#updateState();
    }
  }

  #log(line: string): void {
    this.#logLine(line);
  }

  #updateState(): void {
    if (this.state === "stopping") return;
    const state: ChatState =
      this.#loadError !== undefined
        ? "error"
        : !this.#loaded
          ? "loading"
          : this.#slots.active > 0
            ? "inferring"
            : "idle";
    this.setState(state);
  }

  #config(): Record<string, unknown> {
    return {
      ...this.backend.config(),
      max_queue: this.#maxQueue,
      max_tokens: this.#defaults.maxTokens,
      temperature: this.#defaults.temperature,
      top_p: this.#defaults.topP ?? null,
      seed: this.#defaults.seed ?? null,
      active: this.#slots.active,
      queued: this.#slots.waiting,
      ...(this.#loadError === undefined ? {} : { load_error: this.#loadError.message }),
    };
  }

  /** Waits for the backend to be loaded, or for the request's signal. */
  async #whenReady(signal: AbortSignal): Promise<void> {
    if (this.#loaded) return;
    if (this.#loadError !== undefined) throw this.#notReady();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener("abort", onAbort, { once: true });
      this.ready.then(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        () => {
          signal.removeEventListener("abort", onAbort);
          reject(this.#notReady());
        },
      );
    });
  }

  #notReady(): ChatServerError {
    return new ChatServerError(
      "ENOTREADY",
      `the model failed to load: ${this.#loadError?.message}`,
    );
  }

  /** Runs one generation: waits for the model and a slot, generates, measures. */
  async #generate(
    args: ChatArgs,
    ctx: RequestContext,
    onText: (text: string) => void,
  ): Promise<{ finish_reason: GenerateResult["finishReason"]; usage: Usage }> {
    const start = performance.now();
    let first: number | undefined;
    await this.#whenReady(ctx.signal);
    const release = await this.#slots.acquire(ctx.signal);
    const run = this.backend.generate({
      messages: messagesOf(args),
      options: optionsOf(args, this.#defaults),
      signal: ctx.signal,
      onText: (text) => {
        first ??= performance.now();
        onText(text);
      },
    });
    this.#running.add(run);
    let result: GenerateResult;
    try {
      result = await run;
    } finally {
      this.#running.delete(run);
      release();
    }
    const end = performance.now();
    const out = result.completionTokens;
    return {
      finish_reason: result.finishReason,
      usage: {
        prompt_tokens: result.promptTokens ?? null,
        completion_tokens: out ?? null,
        ttft_ms: first === undefined ? null : round(first - start),
        duration_ms: round(end - start),
        tokens_per_s:
          first !== undefined && out !== undefined && out > 1 && end > first
            ? round(((out - 1) * 1000) / (end - first))
            : null,
      },
    };
  }

  async *#chatStream(
    args: ChatArgs,
    ctx: RequestContext,
  ): AsyncGenerator<{ text: string }, Record<string, unknown>> {
    const queue = new AsyncQueue<string>();
    const done = this.#generate(args, ctx, (text) => queue.push(text));
    done.then(
      () => queue.end(),
      (err: unknown) => queue.fail(err),
    );
    // Text that piled up while the client was slower than the model goes out as one message.
    for await (const text of queue) yield { text: text + queue.drain().join("") };
    return await done;
  }

  async #chatBlocking(args: ChatArgs, ctx: RequestContext): Promise<Record<string, unknown>> {
    let text = "";
    const final = await this.#generate(args, ctx, (t) => (text += t));
    return { event: "reply", text, ...final };
  }

  /** Stops serving (see ToolServer.close), lets generations end, then frees the backend. */
  override async close(): Promise<void> {
    this.#loadAbort.abort(new Error("server stopping"));
    await super.close();
    this.#disposed ??= (async () => {
      await Promise.race([
        Promise.allSettled([...this.#running]),
        new Promise((resolve) => setTimeout(resolve, 5000).unref()),
      ]);
      await this.ready.catch(() => undefined);
      await this.backend.close();
    })();
    await this.#disposed;
  }
}
