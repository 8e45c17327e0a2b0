// Taking a spool for a new supervisor (DESIGN §3): refused while another live zeek-tui holds it,
// or while nodes run that the plan does not have; otherwise locked, with what the state file
// recorded and what /proc says runs (adoption.ts decides what becomes of it). The refusals are
// made first reading only, so that a refused start writes nothing, and again under the lock.
import {existsSync} from 'node:fs';
import path from 'node:path';
import {planAdoption, type AdoptionPlan} from './adoption.js';
import {scanSpool} from './proc-scan.js';
import {LAYOUT_FILE, isAlive} from './process.js';
import {acquireSpoolLock, liveLockHolder, type SpoolLock} from './spool-lock.js';
import {readStateFile, type ProcessIdentity, type StateFile} from './state-file.js';

export class SpoolBusyError extends Error {
	override name = 'SpoolBusyError';
}

/** Live nodes of the spool that the new plan does not have: starting would leave them unwatched. */
export class UnplannedNodesError extends SpoolBusyError {
	override name = 'UnplannedNodesError';
}

export type TakenSpool = {lock: SpoolLock; state: StateFile | undefined; adoption: AdoptionPlan};

/** Throws SpoolBusyError, UnplannedNodesError or StateFileError, having started nothing. */
export function takeSpool(
	spoolDir: string,
	planned: readonly string[],
	self: ProcessIdentity,
): TakenSpool {
	const scan = (state: StateFile | undefined) =>
		planAdoption(planned, scanSpool(spoolDir), state?.nodes ?? {});
	refuseBusy(spoolDir, liveLockHolder(spoolDir));
	// A corrupt state file is refused: starting anyway could run a second copy of every node
	// the scan cannot see (one whose environment is unreadable).
	const before = readStateFile(spoolDir);
	refuseBusy(spoolDir, recordedSupervisor(before));
	refuseUnplanned(spoolDir, scan(before));
	const taken = acquireSpoolLock(spoolDir, self);
	if (!taken.ok) {
		refuseBusy(spoolDir, taken.holder);
		throw new SpoolBusyError(`cannot lock ${spoolDir}`);
	}
	try {
		const state = readStateFile(spoolDir);
		refuseBusy(spoolDir, recordedSupervisor(state));
		const adoption = scan(state);
		refuseUnplanned(spoolDir, adoption);
		return {lock: taken.lock, state, adoption};
	} catch (error) {
		taken.lock.release();
		throw error;
	}
}

function refuseBusy(spoolDir: string, holder: ProcessIdentity | undefined): void {
	if (!holder) return;
	throw new SpoolBusyError(
		`another zeek-tui (pid ${holder.pid}) supervises ${spoolDir}; ` +
			`quit it first, or use another --spool-dir`,
	);
}

/** Names them, and says how to stop them or how to start with them. */
function refuseUnplanned(spoolDir: string, adoption: AdoptionPlan): void {
	if (adoption.unplanned.size === 0) return;
	const named: string[] = [];
	const targets: string[] = [];
	for (const [node, roots] of adoption.unplanned) {
		named.push(`${node} (pid ${roots.map((each) => each.pid).join(', ')})`);
		for (const each of roots) targets.push(each.pgid === each.pid ? `-${each.pid}` : `${each.pid}`);
	}
	throw new UnplannedNodesError(
		`${spoolDir} has nodes running that this plan does not have: ${named.join(', ')}; ` +
			`stop them with 'kill -TERM -- ${targets.join(' ')}', or start with the layout they run ` +
			`(${layoutHint(spoolDir)})`,
	);
}

/** The layout the earlier supervisor wrote into the spool is the one its nodes run. */
function layoutHint(spoolDir: string): string {
	const file = path.join(spoolDir, LAYOUT_FILE);
	const same = 'the same -W, -P and -L as before';
	return existsSync(file) ? `--layout ${file}, or ${same}` : `${same}, or the same --layout`;
}

/**
 * The supervisor the state file names, when it is another live process (one of an older
 * zeek-tui, from before the lock; a controller of this process that detached is not one).
 */
function recordedSupervisor(state: StateFile | undefined): ProcessIdentity | undefined {
	const other = state?.supervisor;
	if (!other || other.pid === process.pid || !isAlive(other.pid, other.startTime)) return undefined;
	return other;
}
