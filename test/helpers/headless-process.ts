// zeek-tui --headless as a real process (test/fixtures/run-headless.ts), and waiting for the
// cluster it supervises to be up, for the tests that signal, break or kill a supervisor.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {readStateFile} from '../../source/cluster/state-file.js';
import type {ClusterSpec} from '../../source/cluster/types.js';
import {REPO, type Sandbox, starts} from '../fixtures/cluster.js';
import {waitFor} from './processes.js';

export function startHeadless(
	sandbox: Sandbox,
	spec: ClusterSpec,
	env: Record<string, string> = {},
) {
	const specFile = path.join(spec.spoolDir, 'spec.json');
	writeFileSync(specFile, JSON.stringify(spec));
	const child = execa('node', ['--import', 'tsx', 'test/fixtures/run-headless.ts', specFile], {
		cwd: REPO,
		env,
		stdin: 'ignore',
		reject: false,
	});
	sandbox.trackPid(child.pid);
	return child;
}

/** Every node of the spec recorded by the headless process `pid` and running its stand-in. */
export async function upUnder(pid: number, spec: ClusterSpec): Promise<Record<string, number>> {
	return waitFor(
		() => {
			let state;
			try {
				state = readStateFile(spec.spoolDir);
			} catch {
				return false;
			}
			if (state?.supervisor.pid !== pid) return false;
			const pids: Record<string, number> = {};
			for (const node of spec.nodes) {
				const nodePid = state.nodes[node.name]?.pid;
				if (
					nodePid === undefined ||
					!starts(spec.spoolDir, node.name).some((run) => run.pid === nodePid)
				) {
					return false;
				}
				pids[node.name] = nodePid;
			}
			return pids;
		},
		{timeoutMs: 20_000, what: 'the headless cluster up'},
	);
}

export const eventLog = (spool: string) =>
	readFileSync(path.join(spool, '.zeek-tui', 'zeek-tui.log'), 'utf8');
