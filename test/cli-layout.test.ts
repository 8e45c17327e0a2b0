// `zeek-tui layout` run as the built binary, for every real output of Zeek 8.1's generator.
import {describe, expect, it} from 'vitest';
import {runCli} from './helpers/cli.js';
import {referenceCases} from './helpers/reference-layouts.js';

describe('zeek-tui layout (built binary)', () => {
	it.each(referenceCases)(
		'$name: the same bytes and exit code as the reference',
		async (reference) => {
			const result = await runCli(['layout', ...reference.args]);
			expect(result.exitCode).toBe(reference.exit);
			expect(result.stdout).toBe(reference.stdout);
			expect(result.stderr).toBe('');
		},
	);

	it('refuses a negative count with one line and exit 2', async () => {
		const result = await runCli(['layout', '-W', '-1']);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
		expect(result.stdout).toBe('');
	});
});
