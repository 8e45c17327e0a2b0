// The supervisor (DESIGN §3): owns one NodeRecord per node, feeds the reducer what happens
// (spawns, exits, commands, deadlines, /proc polls) and carries out what it decides. Effects live
// here; decisions live in node-state.ts. No React.
import {closeSync, realpathSync, writeSync} from 'node:fs';
import path from 'node:path';
import {
	formatCpuList,
	pinLive,
	readOnlineCpus,
	readThreadAffinities,
	readThreadAffinity,
	withTaskset,
} from './affinity.js';
import type {AdoptionPlan} from './adoption.js';
import {writeCrashReport} from './crash-report.js';
import {killLeftovers, killLeftoversOnce} from './leftovers.js';
import {
	cgroupOf,
	isNodeCgroup,
	openNodeCgroups,
	removeCgroup,
	type NodeCgroups,
} from './node-cgroup.js';
import {
	DEFAULT_BACKOFF,
	hasProcess,
	initialRecord,
	persistedRecord,
	transition,
	type BackoffPolicy,
	type NodeEffect,
	type NodeEvent,
	type NodeRecord,
	type Policy,
} from './node-state.js';
import {START_ORDER, STOP_ORDER, stages} from './order.js';
import {
	LAYOUT_FILE,
	STDERR_LOG,
	isAlive,
	nodeDirectoryWarning,
	readCwd,
	readStartTime,
	signalNode,
	spawnNode,
	startTimeToEpochMs,
	statusFilePath,
	statusSaysRunning,
	type SpawnedProcess,
} from './process.js';
import {openAppendNoFollow, writeFileReplacing} from './safe-files.js';
import {
	readStateFile,
	stateDir,
	takeStateDir,
	writeStateFile,
	type StateFile,
} from './state-file.js';
import {checkClusterPortsFree} from './port-check.js';
import {readEnvironVariable, type NodeProcess} from './proc-scan.js';
import type {SpoolLock} from './spool-lock.js';
import {SpoolBusyError, takeSpool} from './take-spool.js';
import type {ClusterSnapshot, ClusterSpec, NodePlan, NodeSnapshot} from './types.js';

export {StateFileError} from './state-file.js';
export {SpoolBusyError, UnplannedNodesError} from './take-spool.js';

export type ControllerOptions = {
	/** Crash back-off; defaults 1 s, doubling to 60 s, reset after 30 s up. */
	backoff?: Partial<BackoffPolicy>;
	/** How often /proc and status files are looked at (adopted nodes' exits, readiness). */
	pollIntervalMs?: number;
	/** How often a running node's CPU affinity is read back from /proc. */
	affinityRefreshMs?: number;
	/** How long a stage of stopAll waits after SIGKILL for a process the kernel has not reaped. */
	killGraceMs?: number;
};

export type EventDetail = Record<string, string | number | boolean>;

/** One line of the event stream. `node` is undefined for zeek-tui's own events. */
export type ClusterEvent = {at: number; node?: string; kind: string; detail: EventDetail};

export type Controller = {
	/** Claims the spool, adopts live nodes of an earlier zeek-tui, spawns the rest in start order. */
	start(): Promise<void>;
	/** Plain data; the same object until something changes. `usage`/`metrics` are left undefined. */
	snapshot(): ClusterSnapshot;
	/** Called once per batch of changes (same tick). Returns the unsubscribe function. */
	subscribe(listener: () => void): () => void;
	/** Every event, as it happens. Returns the unsubscribe function. */
	onEvent(listener: (event: ClusterEvent) => void): () => void;
	startNode(name: string): void;
	stopNode(name: string): void;
	killNode(name: string): void;
	restartNode(name: string): void;
	/** Stops in stop order, then starts in start order. */
	restartAll(): Promise<void>;
	/** Pins every thread live (when running); the pin survives restarts. */
	pin(name: string, cpus: readonly number[]): Promise<void>;
	/** Stops every node in stop order, one stage at a time, the nodes of a stage concurrently. */
	stopAll(): Promise<void>;
	/** SIGKILL to every node now (a second Ctrl-C while stopping). */
	killAll(): void;
	/** Leaves the nodes running for the next zeek-tui: writes the state file, drops every timer. */
	detach(): void;
	/** Records an event of zeek-tui itself (an error, a signal) in the stream and its log. */
	logEvent(kind: string, detail?: EventDetail): void;
};

export class UnknownNodeError extends Error {
	override name = 'UnknownNodeError';
}

export const EVENT_LOG = 'zeek-tui.log';
export const CRASH_DIR = 'crashes';
const NOT_STARTED = {code: null, signal: null, error: 'stopped before it was started'};

const DEFAULT_POLL_MS = 500;
// Reading every thread's status file of 32 nodes every 5 s cost 0.4 % of a core; an affinity changed
// from outside zeek-tui rarely needs to show sooner (its own pins are read back at once).
const DEFAULT_AFFINITY_REFRESH_MS = 30_000;
const ALL_THREADS_REFRESH_MS = 300_000;
const DEFAULT_KILL_GRACE_MS = 2000;

type NodeEntry = {
	plan: NodePlan;
	record: NodeRecord;
	pin?: number[];
	/** Affinity as /proc last said it. */
	cpus?: number[];
	cpusReadAt: number;
	/** When every thread's affinity was last read, and the main thread's (formatted) then. */
	allThreadsReadAt: number;
	mainThreadCpus?: string;
	/** The command line the current process was started with. */
	argv: string[];
	statusFile?: string;
	/** Our child, when the current process is one (not adopted). */
	child?: SpawnedProcess;
	/** The process group the current process leads (its children's), when it leads one. */
	pgid?: number;
	/** The cgroup v2 the current process runs in, where this machine allows one per node. */
	cgroup?: string;
	/** Killing what a gone process left behind; no spawn until it is done. */
	sweep?: Promise<void>;
	timer?: NodeJS.Timeout;
};

export function createController(spec: ClusterSpec, options: ControllerOptions = {}): Controller {
	const backoff: BackoffPolicy = {...DEFAULT_BACKOFF, ...options.backoff};
	const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
	const affinityRefreshMs = options.affinityRefreshMs ?? DEFAULT_AFFINITY_REFRESH_MS;
	const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;

	const entries = new Map<string, NodeEntry>(
		spec.nodes.map((plan) => [
			plan.name,
			{
				plan,
				record: initialRecord(backoff),
				pin: plan.cpus ? [...plan.cpus] : undefined,
				cpusReadAt: 0,
				allThreadsReadAt: 0,
				argv: withTaskset(plan.argv, plan.cpus),
				statusFile: statusFilePath(plan),
			},
		]),
	);
	const ordered = [...entries.values()];
	const dir = stateDir(spec.spoolDir);
	const crashDir = path.join(dir, CRASH_DIR);

	let phase: 'new' | 'running' | 'stopping-all' | 'stopped' | 'detached' = 'new';
	/** Crashes are not followed by restarts while the whole cluster is going down. */
	let quiescing = false;
	let supervisorStartTime = 0;
	let lock: SpoolLock | undefined;
	let cgroups: NodeCgroups | undefined;
	let logFd: number | undefined;
	let pollTimer: NodeJS.Timeout | undefined;
	let stopAllPromise: Promise<void> | undefined;
	let cached: ClusterSnapshot | undefined;
	let notifyQueued = false;
	const listeners = new Set<() => void>();
	const eventListeners = new Set<(event: ClusterEvent) => void>();
	const waiters = new Set<() => void>();

	const policy = (): Policy => ({...backoff, restartOnCrash: !quiescing});
	const active = () => phase === 'running' || phase === 'stopping-all';

	function entryOf(name: string): NodeEntry {
		const entry = entries.get(name);
		if (!entry) throw new UnknownNodeError(`no node named '${name}' in this cluster`);
		return entry;
	}

	// ---- events and change notification ----

	function emit(event: ClusterEvent): void {
		if (logFd !== undefined) {
			try {
				writeSync(logFd, `${formatEventText(event)}\n`);
			} catch {
				// A full disk must not stop supervision.
			}
		}
		for (const listener of eventListeners) {
			try {
				listener(event);
			} catch {
				// A listener's bug is not the supervisor's.
			}
		}
	}

	function changed(): void {
		cached = undefined;
		for (const waiter of [...waiters]) waiter();
		if (notifyQueued) return;
		notifyQueued = true;
		queueMicrotask(() => {
			notifyQueued = false;
			for (const listener of [...listeners]) {
				try {
					listener();
				} catch {
					// See emit.
				}
			}
		});
	}

	/** Resolves once `done()` holds (checked on every change) or at `deadline` (epoch ms). */
	function waitUntil(done: () => boolean, deadline: number): Promise<void> {
		return new Promise((resolve) => {
			if (done()) return resolve();
			const finish = () => {
				clearTimeout(timer);
				waiters.delete(check);
				resolve();
			};
			const check = () => {
				if (done()) finish();
			};
			const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
			waiters.add(check);
		});
	}

	// ---- the state file ----

	function saveState(): void {
		const state: StateFile = {
			version: 1,
			supervisor: {pid: process.pid, startTime: supervisorStartTime},
			nodes: {},
		};
		for (const entry of ordered) {
			state.nodes[entry.plan.name] = {
				...persistedRecord(entry.record),
				...(entry.pin ? {pin: entry.pin} : {}),
			};
		}
		try {
			writeStateFile(spec.spoolDir, state);
		} catch (error) {
			emit({
				at: Date.now(),
				kind: 'error',
				detail: {message: `cannot write the state file: ${String(error)}`},
			});
		}
	}

	// ---- the reducer and its effects ----

	function dispatch(entry: NodeEntry, event: NodeEvent): void {
		if (!active()) return;
		const before = entry.record;
		const {record, effects, notes} = transition(before, event, policy());
		if (record === before && effects.length === 0 && notes.length === 0) return;
		entry.record = record;
		// The state file first: a spawn is announced only once the next supervisor would know it.
		if (JSON.stringify(persistedRecord(record)) !== JSON.stringify(persistedRecord(before)))
			saveState();
		for (const note of notes)
			emit({at: event.at, node: entry.plan.name, kind: note.kind, detail: note.detail});
		armTimer(entry);
		changed();
		for (const effect of effects) perform(entry, effect, event.at);
	}

	function perform(entry: NodeEntry, effect: NodeEffect, at: number): void {
		switch (effect.type) {
			case 'spawn':
				if (entry.sweep) void entry.sweep.then(() => spawnIfStillWanted(entry));
				else spawn(entry);
				return;
			case 'signal':
				if (entry.record.pid !== undefined) signalNode(entry.record.pid, effect.signal);
				return;
			case 'killLeftovers':
				sweep(entry, effect.pid);
				return;
			case 'crashReport': {
				try {
					const file = writeCrashReport(crashDir, {
						node: entry.plan.name,
						at,
						exit: effect.detail,
						pid: effect.pid,
						startedAt: effect.startedAt,
						adopted: effect.adopted,
						argv: entry.argv,
						cwd: entry.plan.cwd,
						stderrLog: path.join(entry.plan.cwd, STDERR_LOG),
					});
					emit({at, node: entry.plan.name, kind: 'crash-report', detail: {file}});
				} catch (error) {
					emit({
						at,
						node: entry.plan.name,
						kind: 'error',
						detail: {message: `cannot write the crash report: ${String(error)}`},
					});
				}
				return;
			}
		}
	}

	/** Puts a new node process into its own cgroup, where there can be one. */
	function enterCgroup(name: string, pid: number): string | undefined {
		const dir = cgroups?.prepare(name);
		if (dir === undefined) return undefined;
		if (cgroups!.enter(dir, pid)) return dir;
		removeCgroup(dir);
		return undefined;
	}

	/** A spawn that waited for a sweep: the node may have been stopped meanwhile. */
	function spawnIfStillWanted(entry: NodeEntry): void {
		const {record} = entry;
		if (!active() || record.pid !== undefined || !hasProcess(record)) return;
		if (record.state === 'starting') spawn(entry);
		else dispatch(entry, {type: 'exited', at: Date.now(), exit: NOT_STARTED});
	}

	/** Kills what the gone process `pid` left: its group (if it led one) and escaped processes. */
	function sweep(entry: NodeEntry, pid: number): void {
		const pgid = entry.pgid === pid ? pid : undefined;
		const {cgroup} = entry;
		entry.pgid = undefined;
		entry.cgroup = undefined;
		const name = entry.plan.name;
		const first = killLeftoversOnce(spec.spoolDir, name, pgid, cgroup);
		if (first.done) {
			if (cgroup) removeCgroup(cgroup);
			return;
		}
		const sweeping = killLeftovers(spec.spoolDir, name, pgid, cgroup, first).then((killed) => {
			if (cgroup) removeCgroup(cgroup);
			if (entry.sweep === sweeping) entry.sweep = undefined;
			emit({
				at: Date.now(),
				node: name,
				kind: 'killed-leftovers',
				detail: {pids: killed.join(',')},
			});
			changed();
		});
		entry.sweep = sweeping;
	}

	function spawn(entry: NodeEntry): void {
		entry.argv = withTaskset(entry.plan.argv, entry.pin);
		const child = spawnNode(entry.plan, spec.spoolDir, entry.pin);
		entry.child = child;
		// Spawned detached: the node leads its own session and process group.
		entry.pgid = child.pid;
		entry.cgroup = child.pid === undefined ? undefined : enterCgroup(entry.plan.name, child.pid);
		entry.cpus = undefined;
		entry.cpusReadAt = 0;
		entry.allThreadsReadAt = 0;
		if (child.pid !== undefined) {
			dispatch(entry, {
				type: 'spawned',
				at: child.startedAt,
				pid: child.pid,
				startTime: child.startTime,
				startedAt: child.startedAt,
			});
			// Zeek writes a status file only when told to (-U); without one, alive is up.
			if (!entry.statusFile) dispatch(entry, {type: 'ready', at: child.startedAt});
		}
		void child.exit.then((exit) => {
			if (entry.child === child) entry.child = undefined;
			dispatch(entry, {type: 'exited', at: Date.now(), pid: child.pid, exit});
		});
	}

	/** One timer per node, for whichever deadline its record carries. */
	function armTimer(entry: NodeEntry): void {
		clearTimeout(entry.timer);
		entry.timer = undefined;
		const deadline = entry.record.killAt ?? entry.record.restartAt;
		if (deadline === undefined) return;
		entry.timer = setTimeout(
			() => {
				entry.timer = undefined;
				// Timers run on the loop's cached clock and may fire a millisecond early: a
				// back-off is honoured in full.
				if (Date.now() < deadline) armTimer(entry);
				else dispatch(entry, {type: 'tick', at: Date.now()});
			},
			Math.max(0, deadline - Date.now()),
		);
	}

	// ---- polling /proc and status files ----

	function poll(): void {
		pollTimer = undefined;
		const now = Date.now();
		for (const entry of ordered) {
			const {record} = entry;
			if (record.pid === undefined || !hasProcess(record)) continue;
			// Our children's exits come from the kernel via child_process; adopted ones only from /proc.
			if (record.adopted && !isAlive(record.pid, record.startTime)) {
				dispatch(entry, {
					type: 'exited',
					at: now,
					pid: record.pid,
					exit: {code: null, signal: null},
				});
				continue;
			}
			if (record.state === 'starting' && entry.statusFile && record.startedAt !== undefined) {
				if (statusSaysRunning(entry.statusFile, record.startedAt))
					dispatch(entry, {type: 'ready', at: now});
			}
			// taskset applies the pin just before exec: read early and often until the node is up.
			if (record.state === 'starting') refreshCpus(entry);
			else if (now - entry.cpusReadAt >= affinityRefreshMs) refreshCpusIfMoved(entry, now);
		}
		if (active()) pollTimer = setTimeout(poll, pollIntervalMs);
	}

	/** Reads every thread's affinity (a status file each: a Zeek node has a dozen threads). */
	function refreshCpus(entry: NodeEntry): void {
		const pid = entry.record.pid;
		entry.cpusReadAt = Date.now();
		entry.allThreadsReadAt = entry.cpusReadAt;
		const read = pid === undefined ? undefined : readThreadAffinities(pid);
		entry.mainThreadCpus = formatCpuList(read?.main ?? []);
		const cpus = read?.all;
		if (formatCpuList(cpus ?? []) === formatCpuList(entry.cpus ?? [])) return;
		entry.cpus = cpus;
		changed();
	}

	/**
	 * The periodic check reads the main thread only, and all of them when it moved: `taskset -p`
	 * and `taskset -a -p` both move the main thread. Reading every thread of 32 nodes every 30 s
	 * was about 2 % of zeek-tui's CPU while watching; a lone other thread moved from outside
	 * shows within ALL_THREADS_REFRESH_MS.
	 */
	function refreshCpusIfMoved(entry: NodeEntry, now: number): void {
		const pid = entry.record.pid;
		if (pid !== undefined && now - entry.allThreadsReadAt < ALL_THREADS_REFRESH_MS) {
			entry.cpusReadAt = now;
			const main = readThreadAffinity(pid);
			if (main !== undefined && formatCpuList(main) === entry.mainThreadCpus) return;
		}
		refreshCpus(entry);
	}

	// ---- adoption ----

	/** Stops second copies and leftovers of gone nodes before anything starts; waits for them. */
	async function stopExtra(extra: readonly NodeProcess[]): Promise<void> {
		for (const each of extra) {
			signalNode(each.pid, 'SIGKILL');
			emit({
				at: Date.now(),
				node: each.node,
				kind: 'killed-extra-copy',
				detail: {pid: each.pid, reason: 'another process of this node runs in its directory'},
			});
		}
		const deadline = Date.now() + killGraceMs;
		while (extra.some((each) => isAlive(each.pid, each.startTime)) && Date.now() < deadline)
			await new Promise((resolve) => setTimeout(resolve, 20));
	}

	/**
	 * Takes over the one live process of each planned node (the /proc scan's, whatever the state
	 * file says), with what the earlier supervisor recorded of it: pin, the operator's stop, a
	 * stop in progress.
	 */
	function adopt(adoption: AdoptionPlan, state: StateFile | undefined): void {
		for (const entry of ordered) {
			const recorded = state?.nodes[entry.plan.name];
			const found = adoption.adopt.get(entry.plan.name);
			if (!found) {
				if (recorded?.held) entry.record = initialRecord(backoff, {held: true});
				reportNotAdopted(entry, recorded);
				continue;
			}
			const same = recorded?.pid === found.pid && recorded.startTime === found.startTime;
			// The pin it runs with is the recorded one; a process no state file knows keeps the plan's.
			if (recorded) entry.pin = recorded.pin ? [...recorded.pin] : undefined;
			// As zeek-tui would start it: /proc's cmdline lost the taskset wrapper at its exec.
			entry.argv = withTaskset(entry.plan.argv, entry.pin);
			entry.pgid = found.pgid === found.pid ? found.pid : undefined;
			const cgroup = cgroupOf(found.pid);
			entry.cgroup =
				cgroup && isNodeCgroup(cgroup, spec.spoolDir, entry.plan.name) ? cgroup : undefined;
			const {pid, startTime} = found;
			const startedAt = startTimeToEpochMs(startTime);
			dispatch(entry, {
				type: 'adopted',
				at: Date.now(),
				pid,
				startTime,
				startedAt,
				held: recorded?.held === true,
				...(same && recorded.killAt !== undefined ? {killAt: recorded.killAt} : {}),
			});
			if (
				entry.record.state === 'starting' &&
				(!entry.statusFile || statusSaysRunning(entry.statusFile, startedAt))
			) {
				dispatch(entry, {type: 'ready', at: Date.now()});
			}
			refreshCpus(entry);
		}
	}

	/** A recorded process that lives but is not this node's (a reused pid): said, not adopted. */
	function reportNotAdopted(entry: NodeEntry, recorded: StateFile['nodes'][string] | undefined) {
		const {pid, startTime} = recorded ?? {};
		if (pid === undefined || !isAlive(pid, startTime)) return;
		const {name, cwd} = entry.plan;
		const actual = readCwd(pid);
		const reason = !sameDirectory(actual, cwd)
			? `its cwd is ${actual ?? 'unreadable'}, not ${cwd}`
			: `its CLUSTER_NODE is ${readEnvironVariable(pid, 'CLUSTER_NODE') ?? 'unset'}, not ${name}`;
		emit({at: Date.now(), node: name, kind: 'not-adopted', detail: {pid, reason}});
	}

	function sameDirectory(a: string | undefined, b: string): boolean {
		try {
			return a !== undefined && realpathSync(a) === realpathSync(b);
		} catch {
			return false;
		}
	}

	// ---- the spool lock ----

	function releaseLock(): void {
		try {
			lock?.release();
		} catch {
			// A spool gone read-only: the lock is stale once this process is gone.
		}
		lock = undefined;
	}

	// ---- stopping in stages ----

	async function stopInStages(): Promise<void> {
		// A pending back-off restart must not bring a node up while its neighbours go down.
		for (const entry of ordered) if (!hasProcess(entry.record)) stop(entry);
		for (const stage of stages(
			ordered.map((entry) => entry.plan),
			STOP_ORDER,
		)) {
			const group = stage.map((plan) => entryOf(plan.name));
			for (const entry of group) stop(entry);
			const deadline = Date.now() + spec.stopTimeoutMs + killGraceMs;
			// A stage is down once its processes are gone and so is what they left behind.
			await waitUntil(() => group.every((entry) => !hasProcess(entry.record)), deadline);
			await Promise.all(group.map((entry) => entry.sweep));
		}
		await Promise.all(ordered.map((entry) => entry.sweep));
	}

	function stop(entry: NodeEntry): void {
		dispatch(entry, {type: 'stop', at: Date.now(), stopTimeoutMs: spec.stopTimeoutMs});
	}

	/** `operator`: the operator's restart of the cluster, which starts the nodes held too. */
	function startInOrder(operator = false): void {
		for (const stage of stages(
			ordered.map((entry) => entry.plan),
			START_ORDER,
		)) {
			for (const plan of stage)
				dispatch(entryOf(plan.name), {type: 'start', at: Date.now(), operator});
		}
	}

	function stopTimers(): void {
		clearTimeout(pollTimer);
		pollTimer = undefined;
		for (const entry of ordered) {
			clearTimeout(entry.timer);
			entry.timer = undefined;
		}
	}

	function closeLog(): void {
		if (logFd === undefined) return;
		closeSync(logFd);
		logFd = undefined;
	}

	/** Commands act only while the cluster is supervised and not going down. */
	function command(name: string, event: (at: number) => NodeEvent): void {
		const entry = entryOf(name);
		const at = Date.now();
		if (phase !== 'running' || quiescing) {
			const reason = phase === 'running' ? 'the cluster is restarting' : `zeek-tui is ${phase}`;
			emit({at, node: name, kind: 'ignored', detail: {command: event(at).type, reason}});
			return;
		}
		dispatch(entry, event(at));
	}

	// ---- snapshot ----

	function nodeSnapshot(entry: NodeEntry): NodeSnapshot {
		const {record, plan} = entry;
		return {
			name: plan.name,
			type: plan.type,
			state: record.state,
			pid: record.pid,
			startedAt: record.startedAt,
			restarts: record.restarts,
			cpus: hasProcess(record) && entry.cpus ? [...entry.cpus] : undefined,
			pin: entry.pin ? [...entry.pin] : undefined,
			killAt: record.killAt,
			restartAt: record.restartAt,
			exits: [...record.exits],
			argv: hasProcess(record) ? [...entry.argv] : withTaskset(plan.argv, entry.pin),
			cwd: plan.cwd,
		};
	}

	return {
		async start() {
			if (phase !== 'new') throw new Error('this controller was started already');
			const self = readStartTime(process.pid);
			if (self === undefined) throw new Error('cannot read /proc/self/stat');
			supervisorStartTime = self;
			// A busy port would be a node's fatal error, or another process's figures shown as ours;
			// checked before anything is written (ports of the recorded live nodes are theirs).
			checkClusterPortsFree(spec.nodes, readStateFile(spec.spoolDir));
			takeStateDir(spec.spoolDir);
			const taken = takeSpool(
				spec.spoolDir,
				ordered.map((entry) => entry.plan.name),
				{pid: process.pid, startTime: self},
			);
			lock = taken.lock;
			const {state, adoption} = taken;
			cgroups = openNodeCgroups(spec.spoolDir);
			try {
				writeFileReplacing(path.join(spec.spoolDir, LAYOUT_FILE), spec.layoutText, 0o644);
				logFd = openAppendNoFollow(path.join(dir, EVENT_LOG), 0o600);
			} catch (error) {
				releaseLock();
				throw error;
			}
			phase = 'running';
			emit({
				at: Date.now(),
				kind: 'started',
				detail: {spool: spec.spoolDir, pid: process.pid, nodes: ordered.length},
			});
			for (const {plan} of ordered) {
				const warning = nodeDirectoryWarning(plan);
				if (warning)
					emit({at: Date.now(), node: plan.name, kind: 'warning', detail: {message: warning}});
			}
			await stopExtra(adoption.extra);
			if (!taken.lock.held()) {
				// Broken by another supervisor meanwhile (it judged us dead): it owns the spool now.
				phase = 'detached';
				lock = undefined;
				closeLog();
				throw new SpoolBusyError(`another zeek-tui took ${spec.spoolDir} while this one started`);
			}
			adopt(adoption, state);
			saveState();
			startInOrder();
			poll();
		},

		snapshot() {
			cached ??= {spoolDir: spec.spoolDir, nodes: ordered.map(nodeSnapshot)};
			return cached;
		},

		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},

		onEvent(listener) {
			eventListeners.add(listener);
			return () => eventListeners.delete(listener);
		},

		startNode(name) {
			command(name, (at) => ({type: 'start', at, operator: true}));
		},

		stopNode(name) {
			command(name, (at) => ({type: 'stop', at, stopTimeoutMs: spec.stopTimeoutMs, hold: true}));
		},

		killNode(name) {
			command(name, (at) => ({type: 'kill', at, hold: true}));
		},

		restartNode(name) {
			command(name, (at) => ({type: 'restart', at, stopTimeoutMs: spec.stopTimeoutMs}));
		},

		async restartAll() {
			if (phase !== 'running' || quiescing) return;
			emit({at: Date.now(), kind: 'restarting-all', detail: {}});
			quiescing = true;
			try {
				await stopInStages();
			} finally {
				// A stopAll that came in meanwhile keeps the cluster quiet.
				quiescing = phase !== 'running';
			}
			if (phase === 'running') startInOrder(true);
		},

		async pin(name, cpus) {
			const entry = entryOf(name);
			const wanted = [...new Set(cpus)].sort((a, b) => a - b);
			if (wanted.length === 0) throw new RangeError('an empty CPU list cannot be pinned');
			const online = new Set(readOnlineCpus());
			const offline = wanted.filter((cpu) => !online.has(cpu));
			if (offline.length > 0) throw new RangeError(`CPU ${formatCpuList(offline)} is not online`);
			entry.pin = wanted;
			saveState();
			const {pid} = entry.record;
			if (pid !== undefined && hasProcess(entry.record)) {
				try {
					await pinLive(pid, wanted);
				} catch (error) {
					// A node that just exited takes its pin to the next spawn; anything else is news.
					if (isAlive(pid, entry.record.startTime)) throw error;
				}
				refreshCpus(entry);
			}
			emit({at: Date.now(), node: name, kind: 'pinned', detail: {cpus: formatCpuList(wanted)}});
			changed();
		},

		stopAll() {
			if (stopAllPromise) return stopAllPromise;
			if (phase !== 'running') return Promise.resolve();
			phase = 'stopping-all';
			quiescing = true;
			emit({at: Date.now(), kind: 'stopping-all', detail: {timeout_ms: spec.stopTimeoutMs}});
			stopAllPromise = stopInStages().finally(() => {
				const left = ordered
					.filter((entry) => hasProcess(entry.record))
					.map((entry) => entry.plan.name);
				emit({
					at: Date.now(),
					kind: 'stopped-all',
					detail: left.length > 0 ? {still_running: left.join(',')} : {},
				});
				saveState();
				cgroups?.release();
				releaseLock();
				phase = 'stopped';
				stopTimers();
				closeLog();
				changed();
			});
			return stopAllPromise;
		},

		killAll() {
			if (!active()) return;
			for (const entry of ordered)
				if (hasProcess(entry.record)) dispatch(entry, {type: 'kill', at: Date.now()});
		},

		detach() {
			if (!active()) return;
			saveState();
			const running = ordered.filter((entry) => entry.record.pid !== undefined).length;
			emit({at: Date.now(), kind: 'detached', detail: {left_running: running}});
			releaseLock();
			phase = 'detached';
			stopTimers();
			for (const entry of ordered) entry.child?.unref();
			closeLog();
		},

		logEvent(kind, detail = {}) {
			emit({at: Date.now(), kind, detail});
		},
	};
}

// ---- the event stream as text and JSON lines (headless output and zeek-tui.log) ----

/** `1500` -> `1.5s`, `2000` -> `2s`, `250` -> `250ms`. */
export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)}ms`;
	const seconds = ms / 1000;
	return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(1)}s`;
}

function formatValue(value: string | number | boolean): string {
	const text = String(value);
	return text === '' || /[\s"=\\]/.test(text) ? JSON.stringify(text) : text;
}

/** `2026-11-28T01:02:03.456Z worker-2 crashed signal=SIGABRT restart_in=2s` */
export function formatEventText(event: ClusterEvent): string {
	const parts = [new Date(event.at).toISOString(), event.node ?? 'zeek-tui', event.kind];
	for (const [key, value] of Object.entries(event.detail)) {
		if (key.endsWith('_ms') && typeof value === 'number') {
			parts.push(`${key.slice(0, -3)}=${formatDuration(value)}`);
		} else {
			parts.push(`${key}=${formatValue(value)}`);
		}
	}
	return parts.join(' ');
}

/** One JSON object: `{"at": ISO, "node": name or null, "kind": ..., ...detail}`. */
export function formatEventJson(event: ClusterEvent): string {
	const line: Record<string, unknown> = {
		at: new Date(event.at).toISOString(),
		node: event.node ?? null,
		kind: event.kind,
	};
	for (const [key, value] of Object.entries(event.detail)) if (!(key in line)) line[key] = value;
	return JSON.stringify(line);
}
