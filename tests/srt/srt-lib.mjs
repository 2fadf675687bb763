// Runs one command through the sandbox runtime's own library, as its CLI
// does (wrapWithSandbox, then the wrapped line through a shell), with a
// settings file the CLI would refuse: one whose network section has no
// allowedDomains. That is the library's "no network restriction" case, in
// which srt starts no socat relays and runs its helper straight under bwrap;
// the CLI's settings schema always asks for allowedDomains.
//
//   node srt-lib.mjs PACKAGE-DIR SETTINGS-FILE COMMAND-STRING
//
// Exit status as the CLI's: the command's, 0 when the shell around bwrap was
// ended by SIGINT or SIGTERM, 1 for any other signal or failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkg, settingsFile, command] = process.argv.slice(2);
if (command === undefined) {
	console.error('usage: srt-lib.mjs PACKAGE-DIR SETTINGS-FILE COMMAND-STRING');
	process.exit(2);
}
const { SandboxManager } = await import(pathToFileURL(join(pkg, 'dist', 'index.js')).href);
try {
	await SandboxManager.initialize(JSON.parse(readFileSync(settingsFile, 'utf8')));
	const wrapped = await SandboxManager.wrapWithSandbox(command);
	const child = spawn(wrapped, { shell: true, stdio: 'inherit' });
	child.on('exit', (code, signal) => {
		SandboxManager.cleanupAfterCommand?.();
		if (signal)
			process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
		process.exit(code ?? 0);
	});
	for (const sig of ['SIGINT', 'SIGTERM'])
		process.on(sig, () => child.kill(sig));
} catch (error) {
	console.error(`srt-lib: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
}
