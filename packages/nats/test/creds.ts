/**
 * Test-only: a NATS operator, account and user, signed here with nkeys (what `nsc` does), so
 * that a test can run nats-server in operator mode and connect with a real `.creds` file.
 */
import { createHash } from "node:crypto";
import { nkeys as untypedNkeys } from "nats";

interface KeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(data: Uint8Array): Uint8Array;
}

/** The part of the nats package's nkeys module (typed `any` there) used here. */
const nkeys = untypedNkeys as {
  createOperator(): KeyPair;
  createAccount(): KeyPair;
  createUser(): KeyPair;
};

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");

function jwt(signer: KeyPair, claims: Record<string, unknown>): string {
  const header = b64u(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const body: Record<string, unknown> = { ...claims, iat: Math.floor(Date.now() / 1000) };
  body["jti"] = createHash("sha256").update(JSON.stringify(body)).digest("base64url");
  const payload = b64u(JSON.stringify(body));
  return `${header}.${payload}.${b64u(signer.sign(Buffer.from(`${header}.${payload}`)))}`;
}

/** A server configuration trusting a fresh operator, and a `.creds` file of one of its users. */
export function operatorSetup(): { serverConfig: string; creds: string } {
  const op = nkeys.createOperator();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const opJwt = jwt(op, {
    iss: op.getPublicKey(),
    sub: op.getPublicKey(),
    name: "test-operator",
    nats: { type: "operator", version: 2 },
  });
  const unlimited = {
    subs: -1,
    data: -1,
    payload: -1,
    imports: -1,
    exports: -1,
    wildcards: true,
    conn: -1,
    leaf: -1,
  };
  const accountJwt = jwt(op, {
    iss: op.getPublicKey(),
    sub: account.getPublicKey(),
    name: "tools",
    nats: { type: "account", version: 2, limits: unlimited },
  });
  const userJwt = jwt(account, {
    iss: account.getPublicKey(),
    sub: user.getPublicKey(),
    name: "caller",
    nats: { type: "user", version: 2, pub: {}, sub: {}, subs: -1, data: -1, payload: -1 },
  });
  const seed = new TextDecoder().decode(user.getSeed());
  return {
    serverConfig: `operator: ${opJwt}\nresolver: MEMORY\nresolver_preload: { ${account.getPublicKey()}: ${accountJwt} }\n`,
    creds: `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
  };
}
