// Real runs of Zeek 8.1's zeek-cluster-layout-generator, copied from ../shared/reference/layout
// into test/fixtures/reference-layout so that a clone tests on its own (or $ZEEK_TUI_REFERENCE_DIR):
// NAME.args (one argument a line), NAME.zeek (its stdout), NAME.exit.
// A missing directory fails loudly: these cases are the point of the layout tests.
import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {repoRoot} from './cli.js';

export type ReferenceCase = {name: string; args: string[]; stdout: string; exit: number};

export const referenceDir =
	process.env['ZEEK_TUI_REFERENCE_DIR'] ?? path.join(repoRoot, 'test/fixtures/reference-layout');

/** Zeek 9's generator on workers per interface (-W eth0:2,eth1:3), the same shape of files. */
export const zeek9ReferenceDir = path.join(repoRoot, 'test/fixtures/layout-zeek9');

export const referenceCases: ReferenceCase[] = readReferenceCases(referenceDir);

export function readReferenceCases(directory: string): ReferenceCase[] {
	return readdirSync(directory)
		.filter((file) => file.endsWith('.args'))
		.map((file) => {
			const name = file.slice(0, -'.args'.length);
			const read = (extension: string) =>
				readFileSync(path.join(directory, `${name}.${extension}`), 'utf8');
			const argsText = read('args');
			return {
				name,
				args: argsText === '' ? [] : argsText.replace(/\n$/, '').split('\n'),
				stdout: read('zeek'),
				exit: Number(read('exit').trim()),
			};
		});
}
