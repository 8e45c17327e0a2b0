// FAKE ClusterClient for the UI's component tests: in memory, no processes. The views only ever
// see the ClusterClient interface, so this stands in for the real controller; it records every
// command it receives and lets a test set snapshots and append log lines.
import type {
	ClusterClient,
	ClusterSnapshot,
	CrashReportFile,
	LogLine,
	LogSource,
	NodeSnapshot,
	NodeType,
} from '../source/cluster/types.js';

export type RecordedCommand =
	| {command: 'start' | 'stop' | 'kill' | 'restart'; node: string}
	| {command: 'pin'; node: string; cpus: number[]}
	| {command: 'restartAll' | 'stopAll' | 'killAll'};

export function fakeNode(
	name: string,
	type: NodeType,
	patch: Partial<NodeSnapshot> = {},
): NodeSnapshot {
	return {
		name,
		type,
		state: 'running',
		restarts: 0,
		exits: [],
		argv: ['zeek', '-U', '.status'],
		cwd: `/spool/${name}`,
		...patch,
	};
}

/** manager, logger-1, proxy-1, worker-1, worker-2: layout order, all running. */
export function sampleSnapshot(): ClusterSnapshot {
	return {
		spoolDir: '/var/spool/zeek',
		nodes: [
			fakeNode('manager', 'manager', {pid: 1001}),
			fakeNode('logger-1', 'logger', {pid: 1002}),
			fakeNode('proxy-1', 'proxy', {pid: 1003}),
			fakeNode('worker-1', 'worker', {pid: 1004}),
			fakeNode('worker-2', 'worker', {pid: 1005}),
		],
	};
}

class FakeLogSource implements LogSource {
	closed = false;
	readonly #listeners = new Set<() => void>();

	constructor(
		readonly node: string,
		readonly buffer: LogLine[],
	) {}

	lines(): readonly LogLine[] {
		return this.buffer;
	}

	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	close(): void {
		this.closed = true;
		this.#listeners.clear();
	}

	notify(): void {
		for (const listener of this.#listeners) listener();
	}
}

export class FakeClusterClient implements ClusterClient {
	readonly commands: RecordedCommand[] = [];
	/** Every LogSource handed out, open or closed. */
	readonly openedLogs: FakeLogSource[] = [];
	online = [0, 1, 2, 3];
	/** What pin() answers; a test replaces it to make pinning fail or hang. */
	pinResult: () => Promise<void> = () => Promise.resolve();
	/** What stopAll() answers. */
	stopAllResult: () => Promise<void> = () => Promise.resolve();
	/** Crash reports by node, newest first, as crashReports() hands them out. */
	crashReportFiles: Record<string, CrashReportFile[]> = {};
	/** Every crashReports() call: the node asked for. */
	readonly crashReportReads: string[] = [];
	#snapshot: ClusterSnapshot;
	readonly #listeners = new Set<() => void>();
	readonly #logs = new Map<string, LogLine[]>();

	constructor(snapshot: ClusterSnapshot = sampleSnapshot()) {
		this.#snapshot = snapshot;
	}

	get listenerCount(): number {
		return this.#listeners.size;
	}

	setSnapshot(snapshot: ClusterSnapshot): void {
		this.#snapshot = snapshot;
		for (const listener of this.#listeners) listener();
	}

	updateNode(name: string, patch: Partial<NodeSnapshot>): void {
		this.setSnapshot({
			...this.#snapshot,
			nodes: this.#snapshot.nodes.map((node) => (node.name === name ? {...node, ...patch} : node)),
		});
	}

	addLog(node: string, stream: LogLine['stream'], ...texts: string[]): void {
		const buffer = this.#buffer(node);
		for (const text of texts) buffer.push({stream, text});
		for (const source of this.openedLogs)
			if (source.node === node && !source.closed) source.notify();
	}

	openLogsOf(node: string): FakeLogSource[] {
		return this.openedLogs.filter((source) => source.node === node && !source.closed);
	}

	snapshot(): ClusterSnapshot {
		return this.#snapshot;
	}

	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	start(name: string): void {
		this.commands.push({command: 'start', node: name});
	}

	stop(name: string): void {
		this.commands.push({command: 'stop', node: name});
	}

	kill(name: string): void {
		this.commands.push({command: 'kill', node: name});
	}

	restart(name: string): void {
		this.commands.push({command: 'restart', node: name});
	}

	restartAll(): void {
		this.commands.push({command: 'restartAll'});
	}

	pin(name: string, cpus: number[]): Promise<void> {
		this.commands.push({command: 'pin', node: name, cpus: [...cpus]});
		return this.pinResult();
	}

	stopAll(): Promise<void> {
		this.commands.push({command: 'stopAll'});
		return this.stopAllResult();
	}

	killAll(): void {
		this.commands.push({command: 'killAll'});
	}

	openLog(name: string): LogSource {
		const source = new FakeLogSource(name, this.#buffer(name));
		this.openedLogs.push(source);
		return source;
	}

	onlineCpus(): number[] {
		return [...this.online];
	}

	crashReports(name: string, limit: number): CrashReportFile[] {
		this.crashReportReads.push(name);
		return (this.crashReportFiles[name] ?? []).slice(0, limit);
	}

	#buffer(node: string): LogLine[] {
		let buffer = this.#logs.get(node);
		if (!buffer) {
			buffer = [];
			this.#logs.set(node, buffer);
		}
		return buffer;
	}
}
