// The same cluster under pm2, as an operator without zeek-tui would run it: every node a pm2 app
// (the argv, working directory and environment zeek-tui's --dry-run plans for it, so the workload
// is identical), pm2's daemon supervising, and `pm2 monit` open in the same kind of terminal.
// PM2_HOME is a temporary directory: the benchmark never sees or touches a real pm2.
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {repoRoot} from '../test/helpers/cli.js';
import {waitFor} from '../test/helpers/processes.js';
import {openTerminal, type Terminal} from '../test/helpers/tmux.js';
import {onCleanup} from './cleanup.js';
import {commandLine, processesUnder} from './proc.js';
import {countFlags, countsFor, isRunning, program, workDirectory} from './tui.js';

const PM2 = path.join(repoRoot, 'node_modules/pm2/bin/pm2');

type PlannedNode = {name: string; cwd: string; argv: string[]; env: Record<string, string>};

export type Pm2Session = {
	work: string;
	names: string[];
	daemonPid: number;
	monitPid: number;
	terminal: Terminal;
	close: () => Promise<void>;
};

export async function startPm2(options: {
	nodes: number;
	simEnv?: Record<string, string>;
	columns?: number;
	rows?: number;
	label: string;
}): Promise<Pm2Session> {
	const counts = countsFor(options.nodes);
	const {work, release} = workDirectory(`pm2-${options.label}`);
	const spool = path.join(work, 'spool');
	const home = path.join(work, 'pm2-home');
	mkdirSync(home);
	const env = {...process.env, PM2_HOME: home};
	// The daemon inherits the CLI's working directory: keeping it in `work` lets the final sweep
	// of `work` find it even if `pm2 kill` fails.
	const pm2 = (args: string[], timeoutMs = 120_000) =>
		execFileSync(process.execPath, [PM2, ...args], {
			cwd: work,
			env,
			encoding: 'utf8',
			timeout: timeoutMs,
			stdio: 'pipe',
		});
	const killPm2 = onCleanup(`pm2 kill (PM2_HOME=${home})`, () => {
		try {
			pm2(['kill'], 60_000);
		} finally {
			const pidFile = path.join(home, 'pm2.pid');
			if (existsSync(pidFile)) {
				const pid = Number(readFileSync(pidFile, 'utf8'));
				if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
			}
		}
	});

	const cli = (args: string[]) =>
		execFileSync(process.execPath, [program.cli, ...args], {encoding: 'utf8', timeout: 30_000});
	const plan = cli(['--dry-run', '--json', '--demo', '--spool-dir', spool, ...countFlags(counts)])
		.trim()
		.split('\n')
		.map((line) => JSON.parse(line) as PlannedNode);
	const layout = path.join(spool, 'cluster-layout.zeek');
	mkdirSync(spool, {recursive: true});
	cli(['layout', ...countFlags(counts), '-o', layout]);
	const apps = plan.map((node) => {
		mkdirSync(node.cwd, {recursive: true});
		copyFileSync(layout, path.join(node.cwd, 'cluster-layout.zeek'));
		return {
			name: node.name,
			script: node.argv[0],
			args: node.argv.slice(1),
			cwd: node.cwd,
			// The simulator is an executable like zeek: pm2 runs it as it is, not inside its node wrapper.
			interpreter: 'none',
			env: {...node.env, ...options.simEnv},
			out_file: path.join(node.cwd, 'stdout.log'),
			error_file: path.join(node.cwd, 'stderr.log'),
			autorestart: true,
		};
	});
	const ecosystem = path.join(work, 'ecosystem.json');
	writeFileSync(ecosystem, JSON.stringify({apps}, null, '\t'));
	pm2(['start', ecosystem]);
	const daemonPid = Number(readFileSync(path.join(home, 'pm2.pid'), 'utf8'));
	await waitFor(
		() => {
			const list = JSON.parse(pm2(['jlist'])) as Array<{pm2_env: {status: string}}>;
			return list.length === apps.length && list.every((app) => app.pm2_env.status === 'online');
		},
		{timeoutMs: 120_000, intervalMs: 1000, what: `all ${apps.length} pm2 apps online`},
	);

	const terminal = openTerminal([process.execPath, PM2, 'monit'], {
		columns: options.columns ?? 160,
		rows: options.rows ?? 48,
		cwd: work,
		env: {TERM: 'xterm-256color', PM2_HOME: home},
	});
	const closeTerminal = onCleanup(`tmux server of pm2 monit in ${work}`, () => terminal.close());
	const monitPid = await waitFor(
		() =>
			processesUnder(work).find((pid) => {
				const argv = commandLine(pid);
				return argv.includes(PM2) && argv.includes('monit');
			}),
		{timeoutMs: 10_000, what: 'pm2 monit to start'},
	);
	await terminal.waitForText(plan[0]!.name, 20_000);
	return {
		work,
		names: plan.map((node) => node.name),
		daemonPid,
		monitPid,
		terminal,
		async close() {
			await closeTerminal();
			await killPm2();
			await release();
		},
	};
}
