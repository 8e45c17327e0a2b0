// The whole program in a real terminal (tmux) on the simulator, driven by keys like an operator.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stripAnsi from 'strip-ansi';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cliPath, cleanEnv} from './helpers/cli.js';
import {isAlive, killProcessesIn, processesIn, waitFor} from './helpers/processes.js';
import {openTerminal, type Terminal} from './helpers/tmux.js';

type State = {nodes: Record<string, {pid?: number}>};

let work: string;
let spool: string;
let terminal: Terminal | undefined;

beforeEach(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-e2e-'));
	spool = path.join(work, 'spool');
});

afterEach(() => {
	terminal?.close();
	terminal = undefined;
	// zeek-tui itself runs in `work`, its nodes in `spool` below it: both go.
	killProcessesIn(work);
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

function demoCommand(): string[] {
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
		'5',
	];
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

	it('leaves the nodes running when the terminal goes away, and the next zeek-tui adopts them', async () => {
		const open = () =>
			openTerminal(demoCommand(), {
				columns: 120,
				rows: 40,
				cwd: work,
				env: cleanEnv({TERM: 'xterm-256color'}),
			});
		terminal = open();
		await everyNodeRunning();
		const before = nodePids();
		const supervisor = processesIn(work).filter((pid) => !Object.values(before).includes(pid));

		// The SSH session drops: tmux going away hangs the terminal up under zeek-tui.
		terminal.close();
		await waitFor(() => supervisor.every((pid) => !isAlive(pid)), {what: 'zeek-tui to exit'});
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
});
