/**
 * The models behind the views, provided once at the top: the tools monitor, the call history
 * and the launcher.
 */
import { createContext, useContext } from "react";
import type { CallLog } from "../model/calls.js";
import type { Launcher } from "../model/launcher.js";
import type { ToolsMonitor } from "../model/tools-monitor.js";

/** Everything the views read and act on. */
export interface Models {
  monitor: ToolsMonitor;
  calls: CallLog;
  launcher: Launcher;
}

const ModelsContext = createContext<Models | null>(null);

/** Provides the models. */
export const ModelsProvider = ModelsContext.Provider;

/** The models (throws outside a provider: a programming error). */
export function useModels(): Models {
  const models = useContext(ModelsContext);
  if (models === null) throw new Error("useModels() outside <ModelsProvider>");
  return models;
}
