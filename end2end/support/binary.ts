// Where the release server binary is: the tests start it (global-setup.ts) and run its commands
// (fixtures.ts makes each test its own users with `server create-user`).
import * as path from "node:path";

export const root = path.resolve(__dirname, "..", "..");
export const binary = process.env.IMPERSONATE_SERVER_BIN ?? path.join(root, "target", "server-release", "server");
