// Runs one command under srt the way an embedder does, with srt's Linux
// violation monitor on (the srt CLI leaves it off), and prints, after the
// command's own output, each violation srt recorded, one a line:
//
//   node srt.mjs PKG HELPER WORK COMMAND
//
// PKG: the directory of the @anthropic-ai/sandbox-runtime package. HELPER: the
// apply-seccomp to use (seccomp.applyPath), or "" for srt's own. WORK: writes
// are allowed under WORK/allowed except WORK/allowed/denied. COMMAND: a shell
// command. Exits with the command's status.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const [pkg, helper, work, command] = process.argv.slice(2);
const { SandboxManager } = await import(join(pkg, 'dist', 'index.js'));

const config = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: {
    denyRead: [],
    allowRead: [],
    allowWrite: [join(work, 'allowed')],
    denyWrite: [join(work, 'allowed', 'denied')],
  },
};
if (helper) config.seccomp = { applyPath: helper };

await SandboxManager.initialize(config, undefined, true);
const wrapped = await SandboxManager.wrapWithSandbox(command);
const status = await new Promise((resolve, reject) => {
  const child = spawn(wrapped, { shell: true, stdio: 'inherit' });
  child.on('error', reject);
  child.on('exit', (code, signal) => resolve(signal ? 128 : code));
});
// The helper's stub has sent everything by the time it exits; the monitor
// reads it on its own schedule: wait until nothing new came for 300 ms.
const store = SandboxManager.getSandboxViolationStore();
for (let last = -1, quiet = 0, waited = 0; quiet < 3 && waited < 10000; waited += 100) {
  await new Promise(resolve => setTimeout(resolve, 100));
  quiet = store.getTotalCount() === last ? quiet + 1 : 0;
  last = store.getTotalCount();
}
for (const v of store.getViolations()) console.log(v.line);
SandboxManager.cleanupAfterCommand();
await SandboxManager.reset();
process.exit(status);
