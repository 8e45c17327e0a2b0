// Output into a closed pipe (`zeek-tui ... | head -1`) ends quietly: exit 0, no stack trace.
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCliIntoClosedPipe} from './helpers/cli.js';

let work: string;
beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-pipe-'));
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

const commands: Array<[string, string[]]> = [
	['--help', ['--help']],
	['--version', ['--version']],
	['--dry-run text', ['--dry-run', '--demo']],
	['--dry-run --json', ['--dry-run', '--demo', '--json']],
	['layout', ['layout']],
	['layout --help', ['layout', '--help']],
];

describe('stdout into a closed pipe', () => {
	it.each(commands)(
		'%s, the reader gone before the first write: exit 0, quiet',
		async (_name, args) => {
			const result = await runCliIntoClosedPipe(args, {cwd: work, env: cleanEnv()});
			expect(result.stderr).toBe('');
			expect(result).toMatchObject({exitCode: 0, signal: null});
		},
	);

	// More than a pipe holds (64 KiB), so the program is still writing when the reader leaves.
	it.each([
		['--dry-run --json', ['--dry-run', '--demo', '--json', '-W', '3000']],
		['--dry-run text', ['--dry-run', '--demo', '-W', '3000']],
		['layout', ['layout', '-W', '3000', '-m', '0']],
	])(
		'%s, the reader gone after the first chunk (| head -1): exit 0, quiet',
		async (_name, args) => {
			const result = await runCliIntoClosedPipe(args, {
				cwd: work,
				env: cleanEnv(),
				after: 'first-chunk',
			});
			expect(result.read).toBeGreaterThan(0);
			expect(result.stderr).toBe('');
			expect(result).toMatchObject({exitCode: 0, signal: null});
		},
	);

	it('bad input into a closed stderr: exit 2 still, no crash', async () => {
		for (const args of [['--bogus'], ['layout', '-W', 'x']]) {
			const result = await runCliIntoClosedPipe(args, {
				cwd: work,
				env: cleanEnv(),
				stream: 'stderr',
			});
			expect(result).toMatchObject({exitCode: 2, signal: null});
		}
	});

	it('bad input still exits 2 with its one line when stdout is closed', async () => {
		const result = await runCliIntoClosedPipe(['--bogus'], {cwd: work, env: cleanEnv()});
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toBe('zeek-tui: unknown flag --bogus: see zeek-tui --help\n');
	});
});
