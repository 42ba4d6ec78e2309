/**
 * Security: credentials pass through (user/password, token, nkey, TLS with client
 * certificates), the locked-down permissions of the README work for an exporting and a calling
 * host, and a caller can never reach a tool that was not exported.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { promisify } from "node:util";
import { nkeys as untypedNkeys } from "nats";
import type { PipeToolError, RemoteError } from "named-pipe-tools";
import { serveDemo, tempDir } from "named-pipe-tools-testkit";
import { NatsToolClient, openNats, parseNatsUrl } from "named-pipe-tools-nats";
import { operatorSetup } from "./creds.js";
import { exportFrom, machine, startNats } from "./helpers.js";

const run = promisify(execFile);

/** The part of the nats package's nkeys module (typed `any` there) this test uses. */
const nkeys = untypedNkeys as {
  createUser(): { getSeed(): Uint8Array; getPublicKey(): string };
};

/** The permissions of the README's locked-down set-up, for the tool `demo`. */
const LOCKED_DOWN = `
authorization {
  users = [
    { user: exporter, password: "ex-pass", permissions: {
        subscribe: ["npt.call.demo.>", "npt.cancel.demo", "npt.data.demo.>", "npt.gw.>", "$SRV.>", "_INBOX.>"]
        publish: ["npt.events.demo.>", "npt.frames.demo", "npt.frames.demo.>", "_INBOX.>"]
    } }
    { user: caller, password: "ca-pass", permissions: {
        publish: ["npt.call.demo.>", "npt.cancel.demo", "npt.data.demo.>", "npt.gw.>", "$SRV.>"]
        subscribe: ["_INBOX.>", "npt.events.demo.>", "npt.frames.demo", "npt.frames.demo.>"]
        allow_responses: true
    } }
  ]
}
`;

test("the locked-down accounts work, and nothing beyond them", async (t) => {
  const nats = await startNats(t, { config: LOCKED_DOWN });
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await serveDemo(t, { dir: host.dir, name: "secret" });
  await exportFrom(t, host, nats.url, { tools: ["demo"], user: "exporter", password: "ex-pass" });

  const client = await NatsToolClient.connect(`nats://caller:ca-pass@127.0.0.1:${nats.port}/demo`, {
    data: true,
  });
  t.after(() => client.close());
  assert.equal((await client.call("ping")).event, "pong");
  assert.equal((await client.stream("count", { n: 3 }).toArray()).length, 4);
  const shout = new Promise((resolve) => client.on("shout", resolve));
  await client.call("shout", { data: 1 });
  assert.deepEqual(await shout, { event: "shout", data: 1 });
  const echo = new Promise<Buffer>((resolve) => client.onData(resolve));
  client.sendData(Buffer.from("frame"));
  assert.equal((await echo).toString(), "frame");
  const controller = new AbortController();
  const slow = client.call("sleep", { ms: 60_000 }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(slow, (err: PipeToolError) => err.code === "EABORTED");

  // The caller cannot even address another tool.
  await assert.rejects(
    NatsToolClient.connect(`nats://caller:ca-pass@127.0.0.1:${nats.port}/secret`, {
      timeoutMs: 1000,
    }),
  );
  await assert.rejects(
    NatsToolClient.connect(`nats://caller:wrong@127.0.0.1:${nats.port}/demo`),
    (err: PipeToolError) => {
      assert.equal(err.code, "EIO");
      assert.match(err.message, /authorization/i);
      assert.doesNotMatch(err.message, /wrong/, "no password in messages");
      return true;
    },
  );
});

test("a request for a command the tool does not export is refused, not forwarded", async (t) => {
  const nats = await startNats(t);
  const host = await machine(t);
  const { server } = await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"] });
  const raw = await openNats(parseNatsUrl(nats.url));
  t.after(() => raw.close());
  // Subjects a crafted client might try: wildcards and other tools' names never match an endpoint.
  for (const subject of ["npt.call.demo.stop", "npt.call.demo", "npt.call.demo.ping.x"]) {
    await assert.rejects(raw.request(subject, undefined, { timeout: 1000 }), /503/, subject);
  }
  assert.equal(server.state, "running");
  const client = await NatsToolClient.connect(`${nats.url}/demo`);
  t.after(() => client.close());
  await assert.rejects(
    client.call("stop"),
    (err: RemoteError) => err.remoteCode === "unknown_command",
  );
});

test("token and nkey credentials pass through", async (t) => {
  const user = nkeys.createUser();
  const dir = await tempDir(t);
  const seedFile = path.join(dir, "user.nk");
  await writeFile(seedFile, new TextDecoder().decode(user.getSeed()), { mode: 0o600 });
  const withNkey = await startNats(t, {
    config: `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }`,
  });
  const withToken = await startNats(t, { config: `authorization { token: "t0ken" }` });

  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, withNkey.url, { tools: ["demo"], nkey: seedFile });
  await exportFrom(t, host, withToken.url, { tools: ["demo"], token: "t0ken" });

  const a = await NatsToolClient.connect(`${withNkey.url}/demo`, { nkey: seedFile });
  assert.equal((await a.call("ping")).event, "pong");
  await a.close();
  const b = await NatsToolClient.connect(`nats://t0ken@127.0.0.1:${withToken.port}/demo`);
  assert.equal((await b.call("ping")).event, "pong");
  await b.close();
  await assert.rejects(
    NatsToolClient.connect(`${withToken.url}/demo`),
    (err: PipeToolError) => err.code === "EIO",
  );
  await assert.rejects(
    NatsToolClient.connect(`${withToken.url}/demo`, { creds: path.join(dir, "absent.creds") }),
    (err: PipeToolError) => err.code === "EIO" && /credentials file/.test(err.message),
  );
});

test("a .creds file (operator mode: JWT and nkey seed) passes through", async (t) => {
  const { serverConfig, creds } = operatorSetup();
  const nats = await startNats(t, { config: serverConfig });
  const file = path.join(await tempDir(t), "user.creds");
  await writeFile(file, creds, { mode: 0o600 });
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, nats.url, { tools: ["demo"], creds: file });
  const client = await NatsToolClient.connect(`${nats.url}/demo`, { creds: file });
  t.after(() => client.close());
  assert.equal((await client.call("ping")).event, "pong");
  await assert.rejects(
    NatsToolClient.connect(`${nats.url}/demo`),
    (err: PipeToolError) => err.code === "EIO",
  );
});

async function makeCerts(t: TestContext): Promise<Record<string, string>> {
  const dir = await tempDir(t, "npt-tls-");
  const f = (name: string): string => path.join(dir, name);
  const ssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  for (const who of ["server", "client"]) {
    await ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${who}`,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
    );
    await writeFile(
      f(`${who}.ext`),
      who === "server"
        ? "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        : "extendedKeyUsage=clientAuth\n",
    );
    await ssl(
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      f(`${who}.ext`),
      "-out",
      f(`${who}.pem`),
    );
  }
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    cert: f("client.pem"),
    key: f("client.key"),
  };
}

test("TLS with client certificates passes through", async (t) => {
  const certs = await makeCerts(t);
  const nats = await startNats(t, {
    config: `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true }`,
  });
  const tls = { ca: certs.ca!, cert: certs.cert!, key: certs.key! };
  const host = await machine(t);
  await serveDemo(t, { dir: host.dir });
  await exportFrom(t, host, `tls://127.0.0.1:${nats.port}`, { tools: ["demo"], tls });
  const client = await NatsToolClient.connect(`tls://127.0.0.1:${nats.port}/demo`, { tls });
  t.after(() => client.close());
  assert.equal((await client.call("echo", { data: "secure" }))["data"], "secure");
  // Without a client certificate the server refuses.
  await assert.rejects(
    NatsToolClient.connect(`tls://127.0.0.1:${nats.port}/demo`, { tls: { ca: certs.ca! } }),
  );
});
