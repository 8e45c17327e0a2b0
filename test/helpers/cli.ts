// Runs the built program the way a user does: `node dist/cli.js ...`, without a terminal.
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
