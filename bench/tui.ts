// zeek-tui on the simulator in a real terminal (tmux, 160x48 unless told), in a temporary
// directory of its own, with everything it started registered for cleanup.
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cliPath} from '../test/helpers/cli.js';
import {waitFor} from '../test/helpers/processes.js';
import {openTerminal, type Terminal} from '../test/helpers/tmux.js';
import {onCleanup} from './cleanup.js';
import {commandLine, cpuTimes, processesUnder} from './proc.js';

export type NodeCounts = {loggers: number; proxies: number; workers: number};

/** A cluster of `total` nodes shaped like a sensor's: one manager, a few loggers and proxies, the rest workers. */
export function countsFor(total: number): NodeCounts {
	const loggers = total >= 128 ? 2 : 1;
	const proxies = total >= 128 ? 4 : total >= 16 ? 2 : 1;
	const workers = total - 1 - loggers - proxies;
	if (workers < 1)
		throw new Error(`a cluster of ${total} nodes is too small (at least ${loggers + proxies + 2})`);
	return {loggers, proxies, workers};
}

/** Node names in table order (layout order): manager, loggers, proxies, workers. */
export function nodeNames({loggers, proxies, workers}: NodeCounts): string[] {
	const numbered = (prefix: string, count: number) =>
		Array.from({length: count}, (_, index) => `${prefix}-${index + 1}`);
	return [
		'manager',
		...numbered('logger', loggers),
		...numbered('proxy', proxies),
		...numbered('worker', workers),
	];
}

export function countFlags({loggers, proxies, workers}: NodeCounts): string[] {
	return ['-L', String(loggers), '-P', String(proxies), '-W', String(workers)];
}

/** A fresh directory for one run, removed (after killing whatever still runs in it) at cleanup. */
export function workDirectory(prefix: string): {work: string; release: () => Promise<void>} {
	const work = mkdtempSync(path.join(os.tmpdir(), `zeek-tui-bench-${prefix}-`));
	const release = onCleanup(`processes and files in ${work}`, async () => {
		await killEverythingIn(work);
		rmSync(work, {recursive: true, force: true});
	});
	return {work, release};
}

/**
 * SIGKILLs every process (and its group) whose working directory is in `directory`, until none is
 * left: a supervisor killed in the middle may have spawned one more node just before.
 */
export async function killEverythingIn(directory: string): Promise<void> {
	for (let round = 0; round < 20; round++) {
		const pids = processesUnder(directory);
		if (pids.length === 0) return;
		for (const pid of pids) {
			for (const target of [-pid, pid]) {
				try {
					process.kill(target, 'SIGKILL');
				} catch {
					// Not a group leader, or gone already.
				}
			}
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(
		`processes still running in ${directory}: ${processesUnder(directory).join(' ')}`,
	);
}

export function isRunning(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/**
 * The zeek-tui under test: the built one by default; --cli points at another build (a copy with a
 * change being tried), --env adds variables to its terminal (NODE_ENV=production, say),
 * --node-flag passes flags to its node only (not to the simulated nodes, which NODE_OPTIONS would).
 */
export const program = {cli: cliPath, env: {} as Record<string, string>, nodeFlags: [] as string[]};

export type TuiSession = {
	work: string;
	spool: string;
	names: string[];
	terminal: Terminal;
	/** zeek-tui's own node process (the pane's process). */
	pid: number;
	/** When tmux was asked to start it (Date.now()). */
	launchedAt: number;
	/** Ends the run: kills what is left, removes the directory. */
	close: () => Promise<void>;
};

export type TuiOptions = {
	nodes: number;
	/** ZEEK_SIM_* switches for the simulated nodes. */
	simEnv?: Record<string, string>;
	columns?: number;
	rows?: number;
	/** Writes a V8 CPU profile of zeek-tui into this directory when it exits. */
	cpuProfileDir?: string;
	label: string;
};

export async function startTui(options: TuiOptions): Promise<TuiSession> {
	const counts = countsFor(options.nodes);
	const {work, release} = workDirectory(options.label);
	const spool = path.join(work, 'spool');
	const profile = options.cpuProfileDir
		? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir]
		: [];
	if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, {recursive: true});
	const launchedAt = Date.now();
	const terminal = openTerminal(
		[
			process.execPath,
			...program.nodeFlags,
			...profile,
			program.cli,
			'--demo',
			'--spool-dir',
			spool,
			...countFlags(counts),
			'--stop-timeout',
			'10',
		],
		{
			columns: options.columns ?? 160,
			rows: options.rows ?? 48,
			cwd: work,
			env: {TERM: 'xterm-256color', ...program.env, ...options.simEnv},
		},
	);
	const closeTerminal = onCleanup(`tmux server of ${work}`, () => terminal.close());
	const pid = await waitFor(
		() => processesUnder(work).find((candidate) => commandLine(candidate).includes(program.cli)),
		{timeoutMs: 10_000, what: 'zeek-tui to start in tmux'},
	);
	return {
		work,
		spool,
		names: nodeNames(counts),
		terminal,
		pid,
		launchedAt,
		async close() {
			await closeTerminal();
			await release();
		},
	};
}

/** `nodes U/T up` from the header, or undefined while the header is not drawn. */
export function upCount(screen: string): {up: number; total: number} | undefined {
	const match = /nodes (\d+)\/(\d+) up/.exec(screen);
	return match ? {up: Number(match[1]), total: Number(match[2])} : undefined;
}

/** The table row of `node`, selected or not. */
export function rowOf(screen: string, node: string): string | undefined {
	return screen
		.split('\n')
		.find((line) => line.startsWith(`› ${node} `) || line.startsWith(`  ${node} `));
}

export function selectedNode(screen: string): string | undefined {
	return /^› (\S+) /m.exec(screen)?.[1];
}

/** Waits until the header says every node is running; returns the time since launch in ms. */
export async function waitAllRunning(session: TuiSession, timeoutMs: number): Promise<number> {
	await waitFor(
		() => {
			const count = upCount(session.terminal.screen());
			return count && count.total === session.names.length && count.up === count.total;
		},
		{timeoutMs, intervalMs: 50, what: `all ${session.names.length} nodes running`},
	);
	return Date.now() - session.launchedAt;
}

/** Presses j (or k) one at a time, each once the screen has answered the last, until `node` is selected. */
export async function select(
	session: Pick<TuiSession, 'terminal' | 'names'>,
	node: string,
	timeoutMs = 30_000,
): Promise<void> {
	const target = session.names.indexOf(node);
	if (target === -1) throw new Error(`no node ${node}`);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const current = selectedNode(session.terminal.screen());
		if (current === node) return;
		if (Date.now() > deadline) throw new Error(`timed out selecting ${node} (at ${current})`);
		const at = current ? session.names.indexOf(current) : -1;
		session.terminal.press(at < target ? 'j' : 'k');
		await waitFor(() => selectedNode(session.terminal.screen()) !== current, {
			timeoutMs: Math.max(100, deadline - Date.now()),
			intervalMs: 10,
			what: `the selection to move from ${current}`,
		});
	}
}

/** q, then y at the question; waits until zeek-tui's process has exited. Returns the time from y to exit. */
export async function quit(session: TuiSession, timeoutMs = 60_000): Promise<{ms: number}> {
	session.terminal.press('q');
	await session.terminal.waitForText('Stop the cluster and quit? (y/n)', 10_000);
	const start = Date.now();
	session.terminal.press('y');
	await waitFor(() => !isRunning(session.pid), {
		timeoutMs,
		intervalMs: 20,
		what: 'zeek-tui to exit after q y',
	});
	return {ms: Date.now() - start};
}

export function ownCpuSeconds(pid: number): number {
	const times = cpuTimes(pid);
	if (!times) throw new Error(`process ${pid} is gone`);
	return times.own;
}

/** A press the screen has not answered after this long counts as this long (and misses any goal). */
export const PRESS_TIMEOUT_MS = 5000;

/**
 * Keypress to screen: `presses` times, alternately j (to `below`) and k (back to `above`), each
 * from send-keys until capture-pane shows the selection moved. `onScreen` sees every capture (to
 * notice something else on the screen meanwhile). Returns each latency in ms, with when it was sent.
 */
export async function keyLatencies(
	session: Pick<TuiSession, 'terminal' | 'names'>,
	{
		above,
		below,
		presses,
		onScreen,
	}: {above: string; below: string; presses: number; onScreen?: (screen: string) => void},
): Promise<Array<{sentAt: number; ms: number; answered: boolean}>> {
	const results: Array<{sentAt: number; ms: number; answered: boolean}> = [];
	for (let press = 0; press < presses; press++) {
		const [key, expected] = press % 2 === 0 ? ['j', below] : ['k', above];
		const sentAt = performance.now();
		session.terminal.press(key);
		let answered = false;
		while (performance.now() - sentAt < PRESS_TIMEOUT_MS) {
			const screen = session.terminal.screen();
			onScreen?.(screen);
			if (selectedNode(screen) === expected) {
				answered = true;
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		results.push({sentAt, ms: answered ? performance.now() - sentAt : PRESS_TIMEOUT_MS, answered});
		// An unanswered press may still land: put the selection where the next press expects it.
		if (!answered) await select(session, expected);
	}
	return results;
}
