// The lifecycle of one node as a pure function of (record, event): no processes, no clocks, no
// timers. The controller feeds it what happened (a spawn, an exit, a key press, a deadline) and
// carries out what it decides (spawn, signal, write a crash report); the deadlines it wants are
// the record's `killAt` and `restartAt`.
import type {ExitRecord, NodeState} from './types.js';

/** Crash back-off, Zeek Supervisor's shape: 1 s doubling to 60 s, reset after 30 s up. */
export type BackoffPolicy = {
	initialMs: number;
	maxMs: number;
	/** A node that stayed up this long before crashing starts its back-off over. */
	resetAfterMs: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = {
	initialMs: 1000,
	maxMs: 60_000,
	resetAfterMs: 30_000,
};

/** How many exits a record keeps (the snapshot shows them). */
export const EXIT_HISTORY = 10;

export type NodeRecord = {
	state: NodeState;
	pid?: number;
	/** Field 22 of /proc/PID/stat: with the pid, the identity of the process. */
	startTime?: number;
	/** Epoch ms the current process started. */
	startedAt?: number;
	/** Not our child: its exit is seen by polling /proc and its status is unknown. */
	adopted: boolean;
	/** Spawns after the first one (crash restarts and requested restarts alike). */
	restarts: number;
	/** Whether this supervisor has started or adopted the node at least once. */
	launched: boolean;
	/** Most recent last, at most EXIT_HISTORY. */
	exits: ExitRecord[];
	/** While stopping: when SIGKILL follows the SIGTERM already sent. */
	killAt?: number;
	/** While in back-off: when the node is started again. */
	restartAt?: number;
	/** The delay the next crash waits before its restart. */
	nextBackoffMs: number;
	/** While stopping: start again once the process is gone (a restart), or stay stopped. */
	startAfterExit: boolean;
	/** The operator stopped it (`x`, `X`): only the operator's start brings it back. */
	held: boolean;
};

export type Signal = 'SIGTERM' | 'SIGKILL';

export type ProcessExit = {
	code: number | null;
	signal: string | null;
	/** Why the process could not be started at all (`spawn zeek ENOENT`), or why the status is unknown. */
	error?: string;
};

export type NodeEvent =
	/** The cluster start wants the node running, or the operator does (`s`, `operator`). */
	| {type: 'start'; at: number; operator?: boolean}
	/** SIGTERM now, SIGKILL at `at + stopTimeoutMs`: `x` (`hold`: the operator's, kept). */
	| {type: 'stop'; at: number; stopTimeoutMs: number; hold?: boolean}
	/** SIGKILL now: `X`. */
	| {type: 'kill'; at: number; hold?: boolean}
	/** Graceful stop, then start: `r`. */
	| {type: 'restart'; at: number; stopTimeoutMs: number}
	/** The process asked for by a `spawn` effect exists (pid undefined: it could not be started). */
	| {type: 'spawned'; at: number; pid: number; startTime?: number; startedAt: number}
	/**
	 * A live process of an earlier zeek-tui, taken over instead of starting a second copy; with
	 * what that one recorded: the operator's stop (`held`), a stop in progress (`killAt`).
	 */
	| {
			type: 'adopted';
			at: number;
			pid: number;
			startTime: number;
			startedAt: number;
			held?: boolean;
			killAt?: number;
	  }
	/** The node reports it is up (zeek's status file says RUNNING, or the node writes none). */
	| {type: 'ready'; at: number}
	/** The process with this pid is gone (pid undefined: a spawn that failed before a pid existed). */
	| {type: 'exited'; at: number; pid?: number; exit: ProcessExit}
	/** A deadline of the record (killAt, restartAt) may have passed. */
	| {type: 'tick'; at: number};

export type NodeEffect =
	| {type: 'spawn'}
	| {type: 'signal'; signal: Signal}
	/** The process `pid` is gone: kill what it left (its group, what escaped it). */
	| {type: 'killLeftovers'; pid: number}
	| {
			type: 'crashReport';
			exit: ExitRecord;
			detail: ProcessExit;
			pid?: number;
			startedAt?: number;
			adopted: boolean;
	  };

/** What the event stream says happened; `*_ms` details are durations. */
export type NodeNote = {kind: string; detail: Record<string, string | number | boolean>};

export type Transition = {record: NodeRecord; effects: NodeEffect[]; notes: NodeNote[]};

/** Tells the reducer whether a crash should be followed by a restart (not while shutting down). */
export type Policy = BackoffPolicy & {restartOnCrash: boolean};

export function initialRecord(
	backoff: BackoffPolicy = DEFAULT_BACKOFF,
	{held = false}: {held?: boolean} = {},
): NodeRecord {
	return {
		held,
		state: 'stopped',
		adopted: false,
		restarts: 0,
		launched: false,
		exits: [],
		nextBackoffMs: backoff.initialMs,
		startAfterExit: false,
	};
}

const ALIVE: ReadonlySet<NodeState> = new Set(['starting', 'running', 'stopping']);

/** Whether the record says a process exists (or is being created). */
export function hasProcess(record: NodeRecord): boolean {
	return ALIVE.has(record.state);
}

export function transition(record: NodeRecord, event: NodeEvent, policy: Policy): Transition {
	const unchanged: Transition = {record, effects: [], notes: []};
	switch (event.type) {
		case 'start': {
			if (record.held && !event.operator) {
				if (hasProcess(record)) return unchanged;
				return {record, effects: [], notes: [{kind: 'held', detail: HELD_DETAIL}]};
			}
			const unheld = record.held ? {...record, held: false} : record;
			if (hasProcess(unheld)) return {record: unheld, effects: [], notes: []};
			return launch(unheld, policy);
		}

		case 'restart': {
			const unheld = record.held ? {...record, held: false} : record;
			if (unheld.state === 'stopping') {
				return {record: {...unheld, startAfterExit: true}, effects: [], notes: []};
			}
			if (!hasProcess(unheld)) return launch(unheld, policy);
			return terminate(unheld, event.at, event.stopTimeoutMs, true);
		}

		case 'stop': {
			const held = event.hold ? {...record, held: true} : record;
			if (held.state === 'stopping') {
				return {record: {...held, startAfterExit: false}, effects: [], notes: []};
			}
			if (hasProcess(held)) return terminate(held, event.at, event.stopTimeoutMs, false);
			return cancelRestart(held);
		}

		case 'kill': {
			const held = event.hold ? {...record, held: true} : record;
			if (hasProcess(held)) {
				return {
					record: {...held, state: 'stopping', killAt: undefined, startAfterExit: false},
					effects: [{type: 'signal', signal: 'SIGKILL'}],
					notes: [{kind: 'killing', detail: {pid: held.pid ?? '-', signal: 'SIGKILL'}}],
				};
			}
			return cancelRestart(held);
		}

		case 'spawned':
		case 'adopted':
			// A spawn answers the launch that asked for it; adoption happens only to an idle node.
			if (event.type === 'spawned' && (record.state !== 'starting' || record.pid !== undefined)) {
				return unchanged;
			}
			if (event.type === 'adopted' && hasProcess(record)) return unchanged;
			if (event.type === 'adopted' && event.killAt !== undefined)
				return resumeStop(record, {...event, killAt: event.killAt});
			return {
				record: {
					...record,
					state: 'starting',
					pid: event.pid,
					startTime: event.startTime,
					startedAt: event.startedAt,
					adopted: event.type === 'adopted',
					launched: true,
					// A live process runs whatever was recorded: nothing of a stop is left to keep.
					...(event.type === 'adopted' ? {held: false} : {}),
				},
				effects: [],
				notes: [{kind: event.type, detail: {pid: event.pid}}],
			};

		case 'ready':
			if (record.state !== 'starting' || record.pid === undefined) return unchanged;
			return {
				record: {...record, state: 'running'},
				effects: [],
				notes: [{kind: 'running', detail: {pid: record.pid}}],
			};

		case 'exited':
			if (!hasProcess(record) || event.pid !== record.pid) return unchanged;
			return exited(record, event.at, event.exit, policy);

		case 'tick':
			if (record.state === 'stopping' && record.killAt !== undefined && event.at >= record.killAt) {
				return {
					record: {...record, killAt: undefined},
					effects: [{type: 'signal', signal: 'SIGKILL'}],
					notes: [
						{
							kind: 'killing',
							detail: {pid: record.pid ?? '-', signal: 'SIGKILL', reason: 'stop-timeout'},
						},
					],
				};
			}
			if (
				record.state === 'backoff' &&
				record.restartAt !== undefined &&
				event.at >= record.restartAt
			) {
				return launch({...record, restartAt: undefined}, policy, record.nextBackoffMs);
			}
			return unchanged;
	}
}

const HELD_DETAIL = {reason: 'stopped by the operator; start it with s'};

/**
 * A stop the earlier supervisor began: SIGKILL at its deadline (now, if that has passed), then
 * start again unless it was the operator's stop.
 */
function resumeStop(
	record: NodeRecord,
	event: Extract<NodeEvent, {type: 'adopted'}> & {killAt: number},
): Transition {
	const held = event.held ?? record.held;
	const due = event.at >= event.killAt;
	return {
		record: {
			...record,
			state: 'stopping',
			pid: event.pid,
			startTime: event.startTime,
			startedAt: event.startedAt,
			adopted: true,
			launched: true,
			held,
			killAt: due ? undefined : event.killAt,
			startAfterExit: !held,
		},
		effects: due ? [{type: 'signal', signal: 'SIGKILL'}] : [],
		notes: [
			{kind: 'adopted', detail: {pid: event.pid, stop: 'resumed'}},
			...(due
				? [{kind: 'killing', detail: {pid: event.pid, signal: 'SIGKILL', reason: 'stop-timeout'}}]
				: []),
		],
	};
}

/**
 * Spawn now. From a crash or back-off the operator's start resets the back-off; a restart that
 * the back-off itself schedules keeps it (`keepBackoffMs`).
 */
function launch(record: NodeRecord, policy: Policy, keepBackoffMs?: number): Transition {
	return {
		record: {
			...record,
			state: 'starting',
			pid: undefined,
			startTime: undefined,
			startedAt: undefined,
			adopted: false,
			killAt: undefined,
			restartAt: undefined,
			startAfterExit: false,
			restarts: record.launched ? record.restarts + 1 : record.restarts,
			launched: true,
			nextBackoffMs: keepBackoffMs ?? policy.initialMs,
		},
		effects: [{type: 'spawn'}],
		notes: [],
	};
}

function terminate(
	record: NodeRecord,
	at: number,
	stopTimeoutMs: number,
	startAfterExit: boolean,
): Transition {
	const killAt = at + stopTimeoutMs;
	return {
		record: {...record, state: 'stopping', killAt, startAfterExit},
		effects: [{type: 'signal', signal: 'SIGTERM'}],
		notes: [
			{
				kind: startAfterExit ? 'restarting' : 'stopping',
				detail: {pid: record.pid ?? '-', signal: 'SIGTERM', kill_in_ms: stopTimeoutMs},
			},
		],
	};
}

/** `x`/`X` on a node without a process: a pending restart is dropped, the node stays stopped. */
function cancelRestart(record: NodeRecord): Transition {
	if (record.state === 'stopped') return {record, effects: [], notes: []};
	const cancelled = record.state === 'backoff';
	return {
		record: {...record, state: 'stopped', restartAt: undefined},
		effects: [],
		notes: [{kind: 'stopped', detail: cancelled ? {restart: 'cancelled'} : {}}],
	};
}

function exitDetail(exit: ProcessExit): Record<string, string | number> {
	const detail: Record<string, string | number> = {};
	if (exit.signal !== null) detail.signal = exit.signal;
	else if (exit.code !== null) detail.code = exit.code;
	if (exit.error !== undefined) detail.error = exit.error;
	// An adopted process is not our child: how it ended is not ours to know.
	if (Object.keys(detail).length === 0) detail.status = 'unknown';
	return detail;
}

function withExit(record: NodeRecord, exit: ExitRecord): NodeRecord {
	return {
		...record,
		pid: undefined,
		startTime: undefined,
		startedAt: undefined,
		adopted: false,
		killAt: undefined,
		exits: [...record.exits, exit].slice(-EXIT_HISTORY),
	};
}

function exited(record: NodeRecord, at: number, exit: ProcessExit, policy: Policy): Transition {
	const {effects, ...rest} = exitedOnly(record, at, exit, policy);
	// A node's children go with it, whether it was stopped or crashed.
	const leftovers: NodeEffect[] =
		record.pid === undefined ? [] : [{type: 'killLeftovers', pid: record.pid}];
	return {...rest, effects: [...leftovers, ...effects]};
}

function exitedOnly(record: NodeRecord, at: number, exit: ProcessExit, policy: Policy): Transition {
	const requested = record.state === 'stopping';
	const exitRecord: ExitRecord = {at, code: exit.code, signal: exit.signal, requested};
	const gone = withExit(record, exitRecord);

	if (requested) {
		const stopped: Transition = {
			record: {...gone, state: 'stopped'},
			effects: [],
			notes: [{kind: 'stopped', detail: exitDetail(exit)}],
		};
		if (!record.startAfterExit) return stopped;
		const started = launch(stopped.record, policy);
		return {...started, notes: stopped.notes};
	}

	const report: NodeEffect = {
		type: 'crashReport',
		exit: exitRecord,
		detail: exit,
		pid: record.pid,
		startedAt: record.startedAt,
		adopted: record.adopted,
	};
	if (!policy.restartOnCrash) {
		return {
			record: {...gone, state: 'crashed'},
			effects: [report],
			notes: [{kind: 'crashed', detail: {...exitDetail(exit), restart: 'no'}}],
		};
	}
	const upMs = record.startedAt === undefined ? 0 : at - record.startedAt;
	const delayMs = upMs >= policy.resetAfterMs ? policy.initialMs : record.nextBackoffMs;
	return {
		record: {
			...gone,
			state: 'backoff',
			restartAt: at + delayMs,
			nextBackoffMs: Math.min(delayMs * 2, policy.maxMs),
		},
		effects: [report],
		notes: [{kind: 'crashed', detail: {...exitDetail(exit), restart_in_ms: delayMs}}],
	};
}

/** What of a record the state file keeps, for the next supervisor to keep the operator's word. */
export type PersistedRecord = {
	pid?: number;
	startTime?: number;
	held?: true;
	/** While stopping: when SIGKILL is due (0 when it was sent already: due at once). */
	killAt?: number;
};

export function persistedRecord(record: NodeRecord): PersistedRecord {
	return {
		...(record.pid !== undefined && record.startTime !== undefined
			? {pid: record.pid, startTime: record.startTime}
			: {}),
		...(record.held ? {held: true} : {}),
		...(record.state === 'stopping' && record.pid !== undefined
			? {killAt: record.killAt ?? 0}
			: {}),
	};
}
