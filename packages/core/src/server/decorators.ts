/**
 * Decorators for declaring commands on a ToolServer subclass (TypeScript 5 standard decorators):
 *
 * ```ts
 * class Demo extends ToolServer {
 *   constructor() { super({ name: "demo" }); }
 *   @handler("echo")
 *   echo(args: Record<string, unknown>) { return { event: "echo", data: args["data"] }; }
 * }
 * ```
 */
import type { z } from "zod";
import type { CommandDeclaration } from "../schema/command.js";
import type { ToolServer } from "./tool-server.js";
import type { Handler } from "./types.js";

type Method<A> = (this: ToolServer, args: A, ctx: Parameters<Handler>[1]) => unknown;

/** Registers the decorated method as the handler of `cmd` (no argument schema). */
export function handler(cmd: string) {
  return function <This extends ToolServer>(
    method: Method<Record<string, unknown>>,
    context: ClassMethodDecoratorContext<This>,
  ): void {
    context.addInitializer(function (this: This) {
      this.handler(cmd, method.bind(this));
    });
  };
}

/** Registers the decorated method as command `cmd` with a declaration (validated arguments). */
export function command<A extends z.ZodObject>(cmd: string, decl: CommandDeclaration<A>) {
  return function <This extends ToolServer>(
    method: Method<z.output<A>>,
    context: ClassMethodDecoratorContext<This>,
  ): void {
    context.addInitializer(function (this: This) {
      this.command(cmd, decl, method.bind(this));
    });
  };
}
