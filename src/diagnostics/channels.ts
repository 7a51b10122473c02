/**
 * `node:diagnostics_channel` events, one naming scheme: `niquests:<object>:<event>`. Publishers
 * check `hasSubscribers` first, so an unobserved process pays one property read per event.
 */
import diagnostics from "node:diagnostics_channel";

export const requestStartChannel = diagnostics.channel("niquests:request:start");
export const requestHeadersChannel = diagnostics.channel("niquests:request:headers");
export const requestEndChannel = diagnostics.channel("niquests:request:end");
export const requestErrorChannel = diagnostics.channel("niquests:request:error");
export const connectionConnectedChannel = diagnostics.channel("niquests:connection:connected");
export const connectionClosedChannel = diagnostics.channel("niquests:connection:closed");

/** The channel names, for subscribers: `diagnostics_channel.subscribe(CHANNELS.requestStart, fn)`. */
export const CHANNELS = {
  requestStart: "niquests:request:start",
  requestHeaders: "niquests:request:headers",
  requestEnd: "niquests:request:end",
  requestError: "niquests:request:error",
  connectionConnected: "niquests:connection:connected",
  connectionClosed: "niquests:connection:closed",
} as const;
