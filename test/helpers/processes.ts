// Cleanup that holds whatever a test asserted: every process whose working directory lies in the
// test's own spool was started by that test (through zeek-tui), so it is killed with its group.
import {mkdirSync, readdirSync, readlinkSync} from 'node:fs';
import {execa} from 'execa';

export function processesIn(directory: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cwd = readlinkSync(`/proc/${entry}/cwd`);
			if (cwd === directory || cwd.startsWith(directory + '/')) pids.push(Number(entry));
		} catch {
			// Gone, or not ours to read.
		}
	}
	return pids;
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

export function killProcessesIn(directory: string): number[] {
	const pids = processesIn(directory);
	for (const pid of pids) {
		for (const target of [-pid, pid]) {
			try {
				process.kill(target, 'SIGKILL');
			} catch {
				// Not a group leader, or already gone.
			}
		}
	}
	return pids;
}

export async function waitFor<T>(
	probe: () => T | undefined | false | Promise<T | undefined | false>,
	{timeoutMs = 15_000, intervalMs = 100, what = 'condition'} = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

/** `argv` in `cwd` (made if missing) with exactly `env`, in a session of its own; its pid. */
export function startDetached(argv: string[], cwd: string, env: Record<string, string>): number {
	mkdirSync(cwd, {recursive: true});
	const child = execa(argv[0]!, argv.slice(1), {
		cwd,
		env,
		extendEnv: false,
		detached: true,
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'ignore',
		reject: false,
	});
	return child.pid!;
}
