// Runs the built program the way a user does: `node dist/cli.js ...`, without a terminal.
import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa, type Options} from 'execa';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'dist/cli.js');
export const simulatorPath = path.join(repoRoot, 'dist/demo/zeek-sim.js');

/**
 * Environment without the ZEEK_* variables of whoever runs the tests, and without CI markers:
 * Ink draws no frames at all when it believes it runs in CI, and CI sets CI=true.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		const dropped =
			key.startsWith('ZEEK_') ||
			key === 'CI' ||
			key.startsWith('CI_') ||
			key === 'CONTINUOUS_INTEGRATION';
		if (value !== undefined && !dropped) env[key] = value;
	}
	return {...env, ...extra};
}

export async function runCli(
	args: string[],
	options: {cwd?: string; env?: Record<string, string>} = {},
) {
	const run: Options = {
		cwd: options.cwd ?? repoRoot,
		env: options.env ?? cleanEnv(),
		extendEnv: false,
		reject: false,
		stdin: 'ignore',
		timeout: 20_000,
		// Byte-for-byte comparisons need the output exactly as written.
		stripFinalNewline: false,
	};
	const result = await execa('node', [cliPath, ...args], run);
	return {
		exitCode: result.exitCode,
		stdout: String(result.stdout),
		stderr: String(result.stderr),
	};
}

/**
 * Runs the built program with stdout (or stderr) into a pipe whose reader goes away
 * (`| head -1`): at once, before the program writes, or after the first chunk it wrote.
 */
export function runCliIntoClosedPipe(
	args: string[],
	options: {
		cwd?: string;
		env?: Record<string, string>;
		after?: 'nothing' | 'first-chunk';
		stream?: 'stdout' | 'stderr';
	} = {},
): Promise<{exitCode: number | null; signal: string | null; stderr: string; read: number}> {
	return new Promise((resolve, reject) => {
		const child = spawn('node', [cliPath, ...args], {
			cwd: options.cwd ?? repoRoot,
			env: options.env ?? cleanEnv(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const closing = options.stream === 'stderr' ? child.stderr : child.stdout;
		let stderr = '';
		let read = 0;
		if (closing !== child.stderr)
			child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		if (closing !== child.stdout) child.stdout.resume();
		if ((options.after ?? 'nothing') === 'nothing') closing.destroy();
		else
			closing.once('data', (chunk: Buffer) => {
				read = chunk.length;
				closing.destroy();
			});
		const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
		child.on('error', reject);
		child.on('close', (exitCode, signal) => {
			clearTimeout(timer);
			resolve({exitCode, signal, stderr, read});
		});
	});
}
