// The whole program in a real terminal (tmux) on the simulator, driven by keys like an operator.
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stripAnsi from 'strip-ansi';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cliPath, cleanEnv} from './helpers/cli.js';
import {isAlive, killProcessesIn, processesIn, waitFor} from './helpers/processes.js';
import {openTerminal, type Terminal} from './helpers/tmux.js';
import {removeNodeCgroupsIn} from './fixtures/cluster.js';

type State = {nodes: Record<string, {pid?: number}>};

let work: string;
let spool: string;
let terminal: Terminal | undefined;

beforeEach(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-e2e-'));
	spool = path.join(work, 'spool');
});

afterEach(async () => {
	terminal?.close();
	terminal = undefined;
	// zeek-tui itself runs in `work`, its nodes in `spool` below it: both go.
	killProcessesIn(work);
	await removeNodeCgroupsIn(work);
	rmSync(work, {recursive: true, force: true});
});

function nodePids(): Record<string, number | undefined> {
	const state = JSON.parse(readFileSync(path.join(spool, '.zeek-tui/state.json'), 'utf8')) as State;
	return Object.fromEntries(Object.entries(state.nodes).map(([name, entry]) => [name, entry.pid]));
}

function rowOf(screen: string, node: string): string | undefined {
	return screen.split('\n').find((line) => new RegExp(`^[› ] ${node} `).test(line));
}

const NODES = ['manager', 'logger-1', 'proxy-1', 'worker-1', 'worker-2'];

function demoCommand(stopTimeoutSeconds = 5): string[] {
	return [
		'node',
		cliPath,
		'--demo',
		'--spool-dir',
		spool,
		'-P',
		'1',
		'-W',
		'2',
		'--stop-timeout',
		String(stopTimeoutSeconds),
	];
}

/** Where the shell in the terminal writes zeek-tui's exit status. */
const statusFile = () => path.join(work, 'exit-status');

/** zeek-tui's exit status once it has exited (128 + N for signal N). */
async function exitStatus(): Promise<string> {
	return waitFor(
		() => {
			try {
				return readFileSync(statusFile(), 'utf8').trim() || undefined;
			} catch {
				return undefined;
			}
		},
		{timeoutMs: 15_000, what: 'the exit status of zeek-tui'},
	);
}

/** Waits until every node of the spool has a live process (read from the state file). */
async function everyNodeUp(): Promise<Record<string, number | undefined>> {
	return waitFor(
		() => {
			try {
				const pids = nodePids();
				return NODES.every((node) => pids[node] !== undefined && isAlive(pids[node])) && pids;
			} catch {
				return undefined;
			}
		},
		{timeoutMs: 30_000, what: 'every node started'},
	);
}

/** Waits until every node's row says running; returns that screen. */
async function everyNodeRunning(what = 'every node running'): Promise<string> {
	return waitFor(
		() => {
			const current = terminal!.screen();
			return NODES.every((node) => /\brunning\b/.test(rowOf(current, node) ?? ''))
				? current
				: undefined;
		},
		{timeoutMs: 30_000, what},
	);
}

/** The manager's UPTIME cell. */
const uptimeOf = (screen: string) => rowOf(screen, 'manager')?.slice(2).trim().split(/\s+/)[6];

/** Waits for the manager's uptime to change on screen; the header and titles stay on top. */
async function uptimeAdvances(): Promise<string> {
	const first = uptimeOf(terminal!.screen());
	expect(first).toMatch(/^\d+[smhd]/);
	const screen = await waitFor(
		() => {
			const current = terminal!.screen();
			return uptimeOf(current) !== first ? current : undefined;
		},
		{timeoutMs: 10_000, what: `the manager's uptime to move on from ${first}`},
	);
	const lines = screen.split('\n');
	expect(lines[0]).toMatch(/^zeek-tui {2}nodes /);
	expect(lines[1]).toMatch(/^ {2}NODE +TYPE +STATE/);
	expect(uptimeOf(screen)).toMatch(/^\d+[smhd]/);
	return screen;
}

describe('the TUI in a real terminal', () => {
	it('runs the cluster, answers the keys of the contract, and stops everything on q y', async () => {
		terminal = openTerminal(demoCommand(), {
			columns: 160,
			rows: 48,
			cwd: work,
			// CI=true on purpose: Ink alone would draw nothing there; zeek-tui on a terminal must.
			env: cleanEnv({TERM: 'xterm-256color', CI: 'true'}),
		});

		// All nodes reach running, in layout order, the first row selected.
		const screen = await everyNodeRunning();
		expect(screen).toContain('NODE');
		expect(rowOf(screen, 'manager')).toMatch(/^›/);
		const before = nodePids();
		for (const node of NODES) expect(isAlive(before[node]!)).toBe(true);

		// Figures change in place between frames (the live painter), with no key pressed, and the
		// screen keeps its shape.
		await uptimeAdvances();

		// j three times selects worker-1; r gives it a new pid, the others keep theirs.
		terminal.press('j', 'j', 'j');
		await waitFor(() => rowOf(terminal!.screen(), 'worker-1')?.startsWith('›'), {
			what: 'worker-1 selected',
		});
		terminal.press('r');
		const after = await waitFor(
			() => {
				const pids = nodePids();
				return pids['worker-1'] && pids['worker-1'] !== before['worker-1'] ? pids : undefined;
			},
			{timeoutMs: 20_000, what: 'worker-1 restarted'},
		);
		for (const node of NODES.filter((name) => name !== 'worker-1'))
			expect(after[node]).toBe(before[node]);
		await waitFor(() => /\brunning\b/.test(rowOf(terminal!.screen(), 'worker-1') ?? ''), {
			what: 'worker-1 running again',
		});

		// Enter opens worker-1's log pane with its latest lines (ANSI stripped).
		terminal.press('Enter');
		const lastLine = await waitFor(() => {
			const lines = readFileSync(path.join(spool, 'worker-1/stdout.log'), 'utf8')
				.trimEnd()
				.split('\n');
			return lines.length > 2 ? lines.at(-1) : undefined;
		});
		await terminal.waitForText(/─ worker-1 ─/, 5000);
		const stripped = stripAnsi(lastLine!).slice(0, 40);
		await terminal.waitForText(stripped, 10_000);
		expect(terminal.screen()).not.toContain('\u001B[');

		// A resize to 80x24 keeps the table.
		terminal.resize(80, 24);
		await waitFor(
			() => {
				const small = terminal!.screen();
				return small.trimEnd().split('\n').length <= 24 &&
					rowOf(small, 'manager') &&
					rowOf(small, 'worker-2')
					? small
					: undefined;
			},
			{what: 'the table at 80x24'},
		);
		const narrow = await uptimeAdvances();
		expect(narrow.split('\n').every((line) => line.length <= 80)).toBe(true);

		// q asks, y stops every node and exits; nothing is left.
		terminal.press('q');
		await terminal.waitForText('Stop the cluster and quit? (y/n)');
		terminal.press('y');
		await waitFor(() => !terminal!.alive(), {timeoutMs: 30_000, what: 'zeek-tui to exit'});
		await waitFor(() => processesIn(spool).length === 0, {timeoutMs: 10_000, what: 'no node left'});
		for (const node of NODES) expect(isAlive(after[node]!)).toBe(false);
	}, 120_000);

	it('leaves the nodes running when the terminal goes away (exit 0), and the next zeek-tui adopts them', async () => {
		const open = (exitStatusFile?: string) =>
			openTerminal(demoCommand(), {
				columns: 120,
				rows: 40,
				cwd: work,
				env: cleanEnv({TERM: 'xterm-256color'}),
				...(exitStatusFile ? {exitStatusFile} : {}),
			});
		terminal = open(statusFile());
		await everyNodeRunning();
		const before = nodePids();
		const supervisor = processesIn(work).filter((pid) => !Object.values(before).includes(pid));

		// The SSH session drops: tmux going away hangs the terminal up under zeek-tui. It exits 0,
		// not SIGABRT from Node 20's terminal reset on a hung-up terminal (nodejs/node#51519).
		terminal.close();
		await waitFor(() => supervisor.every((pid) => !isAlive(pid)), {what: 'zeek-tui to exit'});
		expect(await exitStatus()).toBe('0');
		expect(readdirSync(work).filter((name) => name.startsWith('core'))).toEqual([]);
		for (const node of NODES) expect(isAlive(before[node]!)).toBe(true);

		terminal = open();
		const screen = await everyNodeRunning('every adopted node running');
		for (const node of NODES) expect(rowOf(screen, node)).toContain(String(before[node]));
		expect(nodePids()).toEqual(before);
		// No second copy: the only node processes are the adopted ones.
		expect(processesIn(spool).sort()).toEqual(Object.values(before).sort());

		terminal.press('q');
		await terminal.waitForText('Stop the cluster and quit? (y/n)');
		terminal.press('y');
		await waitFor(() => processesIn(work).length === 0, {
			timeoutMs: 30_000,
			what: 'everything stopped',
		});
	}, 120_000);

	it('a stop that hangs (a worker ignoring SIGTERM, --stop-timeout 60): Ctrl-C kills what is left and exits', async () => {
		terminal = openTerminal(demoCommand(60), {
			columns: 100,
			rows: 30,
			cwd: work,
			env: cleanEnv({TERM: 'xterm-256color', ZEEK_SIM_IGNORE_TERM: 'worker-1'}),
			exitStatusFile: statusFile(),
		});
		await everyNodeRunning();
		const pids = nodePids();

		terminal.press('q');
		await terminal.waitForText('Stop the cluster and quit? (y/n)');
		terminal.press('y');
		// worker-2 goes; worker-1 holds the stage, its SIGKILL a minute away.
		const stopping = await terminal.waitForText(
			/Stopping workers \(1 left\): SIGKILL in 5\ds\. Ctrl-C kills now\./,
		);
		expect(stopping).toContain('Ctrl-C kills now.');
		expect(isAlive(pids['manager']!)).toBe(true);

		terminal.press('C-c');
		const killedAt = Date.now();
		await waitFor(() => processesIn(spool).length === 0, {timeoutMs: 5000, what: 'no node left'});
		await waitFor(() => !terminal!.alive(), {timeoutMs: 5000, what: 'zeek-tui to exit'});
		expect(Date.now() - killedAt).toBeLessThan(3000);
		expect(await exitStatus()).toBe('0');
		for (const node of NODES) expect(isAlive(pids[node]!)).toBe(false);
	}, 120_000);

	it('below 80x24 (70x20) the message says q quits, and q y stops everything', async () => {
		terminal = openTerminal(demoCommand(), {
			columns: 70,
			rows: 20,
			cwd: work,
			env: cleanEnv({TERM: 'xterm-256color'}),
			exitStatusFile: statusFile(),
		});
		await terminal.waitForText(
			'Terminal too small: 70x20. zeek-tui needs at least 80x24; q quits.',
		);
		const pids = await everyNodeUp();

		// Other keys do nothing; q asks, n declines.
		terminal.press('x', 'j', 'q');
		await terminal.waitForText('Stop the cluster and quit? (y/n)');
		terminal.press('n');
		await waitFor(() => !terminal!.screen().includes('Stop the cluster'), {what: 'declined'});
		expect(nodePids()).toEqual(pids);

		terminal.press('q');
		await terminal.waitForText('Stop the cluster and quit? (y/n)');
		terminal.press('y');
		await waitFor(() => !terminal!.alive(), {timeoutMs: 30_000, what: 'zeek-tui to exit'});
		expect(await exitStatus()).toBe('0');
		await waitFor(() => processesIn(spool).length === 0, {timeoutMs: 10_000, what: 'no node left'});
		for (const node of NODES) expect(isAlive(pids[node]!)).toBe(false);
	}, 120_000);

	it('the message of an uncaught error is on the screen after the TUI has left it', async () => {
		// An error thrown in zeek-tui itself (not in its nodes, which run node too), once it runs.
		const preload = path.join(work, 'throw-later.mjs');
		writeFileSync(
			preload,
			`if (process.argv[1] === ${JSON.stringify(cliPath)})
				setTimeout(() => { throw new Error('planted failure for the test'); }, 4000).unref();\n`,
		);
		terminal = openTerminal(demoCommand(), {
			columns: 100,
			rows: 30,
			cwd: work,
			env: cleanEnv({TERM: 'xterm-256color', NODE_OPTIONS: `--import=${preload}`}),
			exitStatusFile: statusFile(),
			holdPane: true,
		});
		await terminal.waitForText('NODE');
		expect(await exitStatus()).toBe('1');
		const screen = terminal.screen();
		expect(screen).toContain('planted failure for the test');
		// The normal screen: the table went with the alternate screen.
		expect(screen).not.toMatch(/NODE +TYPE +STATE/);
	}, 120_000);
});
