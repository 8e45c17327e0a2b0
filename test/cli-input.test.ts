// The bad-input table: each needs exit 2, one line on stderr, no stack trace, nothing created.
import {existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli, simulatorPath} from './helpers/cli.js';

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
