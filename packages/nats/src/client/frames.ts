/**
 * Binary frames from a remote tool. They come on the tool's frames subject until this client
 * has sent frames of its own; then its own local client on the tool's host exists and brings it
 * every frame (broadcast ones too) on this client's own subject, whose first (empty) message
 * (`Npt-Ready`) says so.
 */
import type { NatsConnection, Subscription } from "nats";
import { READY_HEADER } from "../wire.js";

/** Subscribes to the frames for client `token` of the tool on `frames`; returns the subscriptions. */
export function followFrames(
  nc: NatsConnection,
  frames: string,
  token: string,
  onFrame: (payload: Buffer) => void,
): Subscription[] {
  let own = false;
  return [
    nc.subscribe(frames, {
      callback: (_e, m) => {
        if (!own) onFrame(Buffer.from(m.data));
      },
    }),
    nc.subscribe(`${frames}.${token}`, {
      callback: (_e, m) => {
        own = true;
        if (m.headers?.has(READY_HEADER) !== true) onFrame(Buffer.from(m.data));
      },
    }),
  ];
}
