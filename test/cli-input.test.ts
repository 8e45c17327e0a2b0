// The bad-input table: each needs exit 2, one line on stderr, no stack trace, nothing created.
import {existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, runCli, simulatorPath} from './helpers/cli.js';
import {openTerminal} from './helpers/tmux.js';

let work: string;
let spool: string;
let notExecutable: string;
let badLayout: string;

beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-cli-'));
	spool = path.join(work, 'spool');
	notExecutable = path.join(work, 'zeek-not-executable');
	writeFileSync(notExecutable, '#!/bin/sh\n');
	chmodSync(notExecutable, 0o644);
	badLayout = path.join(work, 'bad-layout.zeek');
	writeFileSync(
		badLayout,
		'redef Cluster::nodes += {\n    ["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1],\n    ["worker-1"] = [$node_type=Cluster::WORKER $ip=127.0.0.1],\n};\n',
	);
});

afterAll(() => rmSync(work, {recursive: true, force: true}));

const zeek = () => ['--zeek', simulatorPath, '--spool-dir', spool];

type Case = {name: string; args: () => string[]; env?: Record<string, string>; mentions: string};

const cases: Case[] = [
	{
		name: 'non-numeric workers',
		args: () => [...zeek(), '--dry-run', '--workers', 'abc'],
		mentions: '--workers',
	},
	{
		name: 'negative workers',
		args: () => [...zeek(), '--dry-run', '-W', '-1'],
		mentions: '--workers',
	},
	{
		name: 'fractional proxies from env',
		args: () => [...zeek(), '--dry-run'],
		env: {ZEEK_PROXIES: '1.5'},
		mentions: 'ZEEK_PROXIES',
	},
	{
		name: 'negative loggers',
		args: () => [...zeek(), '--dry-run', '--loggers=-2'],
		mentions: '--loggers',
	},
	{
		name: 'empty interface',
		args: () => [...zeek(), '--dry-run', '--interface', ''],
		mentions: '--interface',
	},
	{
		name: 'missing zeek path',
		args: () => ['--dry-run', '--spool-dir', spool, '--zeek', '/nonexistent/zeek'],
		mentions: '--zeek',
	},
	{
		name: 'zeek not executable',
		args: () => ['--dry-run', '--spool-dir', spool, '--zeek', notExecutable],
		mentions: '--zeek',
	},
	{
		name: 'zeek not on PATH',
		args: () => ['--dry-run', '--spool-dir', spool],
		env: {ZEEK_BIN: 'no-such-zeek-binary'},
		mentions: 'ZEEK_BIN',
	},
	{
		name: 'backwards cpu range',
		args: () => [...zeek(), '--dry-run', '--pin-workers', '5-3'],
		mentions: '--pin-workers',
	},
	{
		name: 'offline cpu',
		args: () => [...zeek(), '--dry-run', '--pin-workers', '0,999'],
		mentions: '999',
	},
	{
		name: 'cpu list garbage',
		args: () => [...zeek(), '--dry-run', '--pin-workers', 'two'],
		mentions: '--pin-workers',
	},
	{
		name: 'zero stop timeout',
		args: () => [...zeek(), '--dry-run', '--stop-timeout', '0'],
		mentions: '--stop-timeout',
	},
	{
		name: 'negative stop timeout',
		args: () => [...zeek(), '--dry-run', '--stop-timeout=-5'],
		mentions: '--stop-timeout',
	},
	{
		name: 'text stop timeout',
		args: () => [...zeek(), '--dry-run'],
		env: {ZEEK_STOP_TIMEOUT: 'soon'},
		mentions: 'ZEEK_STOP_TIMEOUT',
	},
	{
		name: 'spool below a file',
		args: () => [
			'--zeek',
			simulatorPath,
			'--dry-run',
			'--spool-dir',
			path.join(notExecutable, 'spool'),
		],
		mentions: '--spool-dir',
	},
	{
		name: 'spool is a file',
		args: () => ['--zeek', simulatorPath, '--dry-run', '--spool-dir', notExecutable],
		mentions: 'not a directory',
	},
	{
		name: 'missing layout file',
		args: () => [...zeek(), '--dry-run', '--layout', path.join(work, 'nope.zeek')],
		mentions: '--layout',
	},
	{
		name: 'unparsable layout',
		args: () => [...zeek(), '--dry-run', '--layout', badLayout],
		mentions: 'line 3',
	},
	{name: 'unknown flag', args: () => [...zeek(), '--dry-run', '--bogus'], mentions: '--bogus'},
	{name: 'stray argument', args: () => [...zeek(), 'start'], mentions: 'start'},
	{name: 'flag without value', args: () => [...zeek(), '--workers'], mentions: '--workers'},
	{name: 'json without a mode', args: () => [...zeek(), '--json'], mentions: '--json'},
	{
		name: 'demo with zeek',
		args: () => ['--demo', '--zeek', simulatorPath, '--spool-dir', spool],
		mentions: '--demo',
	},
	{name: 'TUI without a terminal', args: () => [...zeek()], mentions: '--headless'},
	{name: 'unknown short flag', args: () => [...zeek(), '--dry-run', '-x'], mentions: '-x'},
	{
		name: 'repeated flag, short then long',
		args: () => [...zeek(), '--dry-run', '-W', '2', '--workers', '3'],
		mentions: '--workers is given twice (as -W before)',
	},
	{
		name: 'repeated switch',
		args: () => [...zeek(), '--dry-run', '--dry-run'],
		mentions: '--dry-run is given twice',
	},
	{
		name: 'value on a switch',
		args: () => [...zeek(), '--dry-run=yes'],
		mentions: '--dry-run takes no value',
	},
	{name: 'value on a short switch', args: () => [...zeek(), '-hv'], mentions: '-h takes no value'},
	{
		name: 'missing value at the end',
		args: () => [...zeek(), '--dry-run', '--stop-timeout'],
		mentions: '--stop-timeout needs a value',
	},
	{
		name: 'hex stop timeout',
		args: () => [...zeek(), '--dry-run', '--stop-timeout', '0x10'],
		mentions: 'from 0.1 to 2147483.647',
	},
	{
		name: 'stop timeout past a timer (30 days)',
		args: () => [...zeek(), '--dry-run', '--stop-timeout', '2592000'],
		mentions: '--stop-timeout "2592000": expected seconds from 0.1 to 2147483.647',
	},
	{
		name: 'stop timeout below 0.1 s',
		args: () => [...zeek(), '--dry-run', '--stop-timeout=0.05'],
		mentions: 'from 0.1 to 2147483.647',
	},
	{
		name: 'stop timeout with an exponent, from env',
		args: () => [...zeek(), '--dry-run'],
		env: {ZEEK_STOP_TIMEOUT: '1e3'},
		mentions: 'ZEEK_STOP_TIMEOUT="1e3"',
	},
	{
		name: 'hex workers',
		args: () => [...zeek(), '--dry-run', '-W', '0x10'],
		mentions: '--workers "0x10"',
	},
];

describe('bad input', () => {
	it.each(cases)(
		'$name: exit 2, one line naming the input, nothing created',
		async ({args, env, mentions}) => {
			const result = await runCli(args(), {cwd: work, env: cleanEnv(env)});
			expect(result.exitCode).toBe(2);
			const lines = result.stderr.trimEnd().split('\n');
			expect(lines).toHaveLength(1);
			expect(lines[0]).toContain(mentions);
			expect(result.stderr).not.toMatch(/\n\s+at /);
			expect(result.stdout).toBe('');
			expect(existsSync(spool)).toBe(false);
			expect(readdirSync(work).sort()).toEqual(['bad-layout.zeek', 'zeek-not-executable']);
		},
	);
});

// Node 20's recursive mkdirSync never returns under /proc: these must be refused before any mkdir.
const kernelSpools = [
	'/proc/zeek-tui-test/spool',
	'/sys/zeek-tui-test',
	'/dev/zeek-tui-test-spool',
];
const modes: Array<[string, string[]]> = [
	['--dry-run', ['--dry-run', '--zeek', simulatorPath]],
	['--dry-run --demo', ['--dry-run', '--demo']],
	['--headless', ['--headless', '--zeek', simulatorPath]],
	['--headless --demo --json', ['--headless', '--demo', '--json']],
];

describe('a spool where no directory can be made', () => {
	it.each(kernelSpools.flatMap((spool) => modes.map(([mode, args]) => ({spool, mode, args}))))(
		'$spool with $mode: exit 2 at once, one line, nothing made',
		async ({spool, args}) => {
			const began = Date.now();
			const result = await runCli([...args, '--spool-dir', spool], {cwd: work, env: cleanEnv()});
			expect(Date.now() - began).toBeLessThan(5000);
			expect(result.exitCode).toBe(2);
			expect(result.stderr).toMatch(
				/^zeek-tui: --spool-dir "[^"]+": cannot hold a spool: it is under \/(proc|sys|dev), the kernel's own tree; [^\n]+\n$/,
			);
			expect(result.stdout).toBe('');
			expect(existsSync(spool)).toBe(false);
		},
	);

	it('in the TUI (a real terminal): exit 2 at once, the line on screen', async () => {
		// The shell stays, so that the pane is read while alive (a dead one may lose its first line).
		const command = `node ${cliPath} --demo --spool-dir /proc/zeek-tui-test/spool; echo "exit=$?"; sleep 60`;
		const terminal = openTerminal(['sh', '-c', command], {columns: 250, rows: 30, cwd: work});
		try {
			const screen = await terminal.waitForText(/exit=\d+/, 10_000);
			expect(screen).toContain('--spool-dir "/proc/zeek-tui-test/spool": cannot hold a spool');
			expect(screen).toContain('exit=2');
		} finally {
			terminal.close();
		}
	});

	it('ZEEK_SPOOL_DIR on /proc is refused naming the variable', async () => {
		const result = await runCli(['--dry-run', '--demo'], {
			cwd: work,
			env: cleanEnv({ZEEK_SPOOL_DIR: '/proc/self/zeek'}),
		});
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain('ZEEK_SPOOL_DIR="/proc/self/zeek": cannot hold a spool');
	});
});

describe('help and version', () => {
	it('--help lists every option of the contract in meow form', async () => {
		const result = await runCli(['--help']);
		expect(result.exitCode).toBe(0);
		for (const heading of ['Usage', 'Options', 'Examples'])
			expect(result.stdout).toContain(heading);
		for (const option of [
			'--workers',
			'--proxies',
			'--loggers',
			'--interface',
			'--spool-dir',
			'--args',
			'--worker-args',
			'--backend-args',
			'--zeek',
			'--pin-workers',
			'--stop-timeout',
			'--layout',
			'--dry-run',
			'--json',
			'--headless',
			'--demo',
			'ZEEK_WORKERS',
			'ZEEK_BIN',
			'zeek-tui layout',
		]) {
			expect(result.stdout).toContain(option);
		}
	});

	it('--version prints the package version', async () => {
		const result = await runCli(['--version']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});
});
