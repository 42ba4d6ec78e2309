/** Version of the bridge, reported to MCP peers. */
export const VERSION = "0.1.0";
