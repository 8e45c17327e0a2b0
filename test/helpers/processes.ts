// Cleanup that holds whatever a test asserted: every process whose working directory lies in the
// test's own spool was started by that test (through zeek-tui), so it is killed with its group.
import {readdirSync, readlinkSync} from 'node:fs';

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
