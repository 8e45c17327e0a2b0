// Builds one git revision of zeek-tui on its own, in a temporary directory, so a benchmark measures
// exactly that commit: not whatever dist/ holds while others rebuild it from their working trees.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {repoRoot} from '../test/helpers/cli.js';
import {onCleanup} from './cleanup.js';

/**
 * Returns the built cli.js of `revision` (a commit, tag or branch). The build is removed at the
 * end of the benchmark (cleanup), so a run leaves nothing behind.
 */
export function buildRevision(revision: string): {cli: string; commit: string} {
	const git = (...args: string[]) =>
		execFileSync('git', args, {cwd: repoRoot, encoding: 'utf8'}).trim();
	const commit = git('rev-parse', '--verify', `${revision}^{commit}`);
	const directory = path.join(os.tmpdir(), `zeek-tui-bench-build-${commit.slice(0, 12)}`);
	const cli = path.join(directory, 'dist/cli.js');
	rmSync(directory, {recursive: true, force: true});
	mkdirSync(directory, {recursive: true});
	onCleanup(`build of ${revision} in ${directory}`, () =>
		rmSync(directory, {recursive: true, force: true}),
	);
	try {
		const archive = execFileSync(
			'git',
			['archive', commit, 'source', 'tsconfig.json', 'package.json'],
			{
				cwd: repoRoot,
				maxBuffer: 256 * 2 ** 20,
			},
		);
		execFileSync('tar', ['-x', '-C', directory], {input: archive});
		// The same dependencies as the working tree (the revision's package.json must not need others).
		symlinkSync(path.join(repoRoot, 'node_modules'), path.join(directory, 'node_modules'));
		execFileSync(
			process.execPath,
			[path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
			{
				cwd: directory,
				stdio: 'inherit',
				timeout: 300_000,
			},
		);
	} catch (error) {
		throw new Error(
			`building ${revision} (${commit.slice(0, 12)}) failed: ${(error as Error).message}`,
		);
	}
	chmodSync(cli, 0o755);
	chmodSync(path.join(directory, 'dist/demo/zeek-sim.js'), 0o755);
	return {cli, commit};
}
