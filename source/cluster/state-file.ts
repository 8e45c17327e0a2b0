// `<spool>/.zeek-tui/state.json`: which zeek-tui supervises the spool and which process is each
// node, as pid + start time (a pid alone may have been reused). Written atomically on every change
// so that zeek-tui dying at any moment leaves the next one an accurate list to adopt.
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {
	UnsafeFileError,
	othersCanWrite,
	readRegularFile,
	securePrivateDirectory,
	writeFileReplacing,
} from './safe-files.js';

export const STATE_DIR = '.zeek-tui';
export const STATE_FILE = 'state.json';
/** A state file is a few kilobytes even for hundreds of nodes; a bigger one is not ours. */
export const STATE_FILE_MAX_BYTES = 1024 * 1024;

export type ProcessIdentity = {pid: number; startTime: number};

export type NodeStateEntry = {
	pid?: number;
	startTime?: number;
	pin?: number[];
	/** The operator stopped the node (`x`, `X`): a new supervisor leaves it stopped. */
	held?: true;
	/** A stop in progress: epoch ms at which the next supervisor sends SIGKILL if it still runs. */
	killAt?: number;
};

export type StateFile = {
	version: 1;
	supervisor: ProcessIdentity;
	nodes: Record<string, NodeStateEntry>;
};

/** The state file exists but cannot be trusted; the message says what to do. */
export class StateFileError extends Error {
	override name = 'StateFileError';
}

export function stateDir(spoolDir: string): string {
	return path.join(spoolDir, STATE_DIR);
}

export function stateFilePath(spoolDir: string): string {
	return path.join(stateDir(spoolDir), STATE_FILE);
}

/** The recorded state, or undefined when there is none (a spool never supervised). */
export function readStateFile(spoolDir: string): StateFile | undefined {
	const file = stateFilePath(spoolDir);
	let text: string;
	try {
		text = readRegularFile(file, {maxBytes: STATE_FILE_MAX_BYTES}).data.toString('utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		if (error instanceof UnsafeFileError)
			throw new StateFileError(
				`${error.message}: remove it (stop any zeek still running in ${spoolDir} first)`,
			);
		throw new StateFileError(`cannot read ${file}: ${(error as Error).message}`);
	}
	const problem = (reason: string) =>
		new StateFileError(
			`${file} is corrupt (${reason}), so zeek-tui cannot tell which nodes of this spool are still ` +
				`running. Stop any zeek still running in ${spoolDir} (look for them with ` +
				`'ps -eo pid,args | grep zeek'), then remove ${file} and start again.`,
		);
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		throw problem((error as Error).message);
	}
	if (!isObject(data) || data.version !== 1) throw problem('not a version 1 state file');
	if (!isIdentity(data.supervisor)) throw problem('no supervisor pid and start time');
	if (!isObject(data.nodes)) throw problem('no node table');
	for (const [name, entry] of Object.entries(data.nodes)) {
		if (!isEntry(entry)) throw problem(`bad entry for node '${name}'`);
	}
	return data as StateFile;
}

/**
 * Temp file (O_EXCL|O_NOFOLLOW, 0600) + rename: a reader sees the old state or the new one, never
 * half of one, and a symlink planted as state.json is replaced, not written through.
 */
export function writeStateFile(spoolDir: string, state: StateFile): void {
	mkdirSync(stateDir(spoolDir), {recursive: true, mode: 0o700});
	writeFileReplacing(stateFilePath(spoolDir), `${JSON.stringify(state, null, '\t')}\n`, 0o600);
}

/**
 * Before the supervisor writes anything: the spool must be one that no other user can change
 * (they could plant a link where root writes), and `.zeek-tui` made or made private (a real
 * directory of zeek-tui's user, mode 0700). Throws a StateFileError naming what is wrong.
 */
export function takeStateDir(spoolDir: string): void {
	try {
		mkdirSync(spoolDir, {recursive: true, mode: 0o700});
		const reason = othersCanWrite(spoolDir);
		if (reason !== undefined)
			throw new StateFileError(
				`${spoolDir} ${reason}, so another user could plant links where zeek-tui writes; ` +
					`give it to this user and make it writable by its owner only (chmod go-w ${spoolDir})`,
			);
		const dir = stateDir(spoolDir);
		try {
			mkdirSync(dir, {mode: 0o700});
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		securePrivateDirectory(dir, 0o700);
	} catch (error) {
		if (error instanceof StateFileError) throw error;
		throw new StateFileError((error as Error).message);
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isIdentity(value: unknown): value is ProcessIdentity {
	return isObject(value) && isCount(value.pid) && value.pid > 0 && isCount(value.startTime);
}

function isEntry(value: unknown): value is NodeStateEntry {
	if (!isObject(value)) return false;
	if (value.pid !== undefined && !(isCount(value.pid) && value.pid > 0)) return false;
	if (value.startTime !== undefined && !isCount(value.startTime)) return false;
	if (value.pin !== undefined && !(Array.isArray(value.pin) && value.pin.every(isCount)))
		return false;
	if (value.held !== undefined && value.held !== true) return false;
	if (value.killAt !== undefined && !isCount(value.killAt)) return false;
	return (value.pid === undefined) === (value.startTime === undefined);
}
