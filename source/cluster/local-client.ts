// The in-process ClusterClient: the controller's snapshot with CPU/memory samples, Zeek's own
// metrics and their recent history merged in, the log tails, the crash reports, and the commands.
// A client of a background daemon would implement the same type without the views noticing.
import {closeSync, openSync, readdirSync, readSync} from 'node:fs';
import path from 'node:path';
import {openLogTail} from '../logs/log-tail.js';
import {EMPTY_HISTORY, HISTORY_LENGTH, recordPacketRate, recordUsage} from '../metrics/history.js';
import {createResourceSampler} from '../metrics/resource-sampler.js';
import {createMetricsScraper} from '../metrics/scraper.js';
import {readOnlineCpus} from './affinity.js';
import {CRASH_DIR, type Controller} from './controller.js';
import {stateDir} from './state-file.js';
import type {
	ClusterClient,
	ClusterSnapshot,
	ClusterSpec,
	CrashReportFile,
	NodeHistory,
	NodeMetrics,
	ResourceUsage,
} from './types.js';

export type LocalClient = ClusterClient & {
	crashReports(name: string, limit: number): CrashReportFile[];
	/** Stops sampling and scraping; the controller and the nodes are left as they are. */
	close(): void;
};

export type LocalClientOptions = {
	sampleIntervalMs?: number;
	scrapeIntervalMs?: number;
	/** Samples kept per series and node. Default HISTORY_LENGTH. */
	historyLength?: number;
};

/** The most of one crash report read for the screen: its head (exit, argv) and a stderr tail. */
export const CRASH_REPORT_MAX_BYTES = 64 * 1024;

/**
 * `<node>-<ISO time with : as ->.txt`, as writeCrashReport names them. The time has a fixed
 * shape, so the node name is whatever precedes it, dashes and all (worker-1 vs worker-1-b).
 */
const CRASH_FILE_NAME = /^(.+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3}Z)\.txt$/;

/** The crash reports of `node` in `dir`, newest first, at most `limit`, each cut to `maxBytes`. */
export function readCrashReports(
	dir: string,
	node: string,
	limit: number,
	maxBytes = CRASH_REPORT_MAX_BYTES,
): CrashReportFile[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		// No crash yet: the directory is made by the first report.
		return [];
	}
	const found = names.flatMap((name) => {
		const match = CRASH_FILE_NAME.exec(name);
		if (!match || match[1] !== node) return [];
		const at = Date.parse(`${match[2]}T${match[3]}:${match[4]}:${match[5]}`);
		return Number.isNaN(at) ? [] : [{file: path.join(dir, name), at}];
	});
	found.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
	return found.slice(0, Math.max(0, limit)).flatMap((report) => {
		const text = readHead(report.file, maxBytes);
		return text === undefined ? [] : [{...report, text}];
	});
}

/** The first `maxBytes` of a file (cut back to a whole line), or undefined when it is gone. */
function readHead(file: string, maxBytes: number): string | undefined {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return undefined;
	}
	try {
		const buffer = Buffer.alloc(maxBytes + 1);
		const length = readSync(fd, buffer, 0, buffer.length, 0);
		if (length <= maxBytes) return buffer.toString('utf8', 0, length);
		const cut = buffer.lastIndexOf(0x0a, maxBytes - 1);
		return `${buffer.toString('utf8', 0, cut > 0 ? cut + 1 : maxBytes)}[… cut at ${maxBytes} bytes]\n`;
	} finally {
		closeSync(fd);
	}
}

export function createLocalClient(
	controller: Controller,
	spec: ClusterSpec,
	options: LocalClientOptions = {},
): LocalClient {
	const listeners = new Set<() => void>();
	let usageByPid = new Map<number, ResourceUsage>();
	const metricsByNode = new Map<string, NodeMetrics>();
	// By node name: a restarted node keeps its history, so the dip of the restart shows.
	const historyByNode = new Map<string, NodeHistory>();
	const historyLength = options.historyLength ?? HISTORY_LENGTH;
	let merged: ClusterSnapshot | undefined;
	let mergedFrom: ClusterSnapshot | undefined;
	const onlineCpus = readOnlineCpus();
	const crashDir = path.join(stateDir(spec.spoolDir), CRASH_DIR);

	const updateHistory = (node: string, update: (history: NodeHistory) => NodeHistory) => {
		historyByNode.set(node, update(historyByNode.get(node) ?? EMPTY_HISTORY));
	};

	const changed = () => {
		merged = undefined;
		for (const listener of listeners) listener();
	};

	const sampler = createResourceSampler({
		...(options.sampleIntervalMs === undefined ? {} : {intervalMs: options.sampleIntervalMs}),
		onSample(usage) {
			usageByPid = usage;
			for (const node of controller.snapshot().nodes) {
				const sample = node.pid === undefined ? undefined : usage.get(node.pid);
				if (sample)
					updateHistory(node.name, (history) => recordUsage(history, sample, historyLength));
			}
			changed();
		},
	});
	const scraper = createMetricsScraper({
		...(options.scrapeIntervalMs === undefined ? {} : {intervalMs: options.scrapeIntervalMs}),
		onMetrics(node, metrics) {
			if (metrics) metricsByNode.set(node, metrics);
			else metricsByNode.delete(node);
			const rate = metrics?.packetsPerSecond;
			if (rate !== undefined) {
				updateHistory(node, (history) => recordPacketRate(history, rate, historyLength));
			}
			changed();
		},
	});

	const plans = new Map(spec.nodes.map((node) => [node.name, node]));
	// Only live processes are sampled and only running nodes scraped: a dead pid costs nothing.
	const followController = () => {
		const {nodes} = controller.snapshot();
		sampler.setPids(nodes.flatMap((node) => (node.pid === undefined ? [] : [node.pid])));
		scraper.setTargets(
			nodes.flatMap((node) => {
				const target = plans.get(node.name)?.metrics;
				return node.state === 'running' && target ? [{node: node.name, ...target}] : [];
			}),
		);
		changed();
	};
	const unsubscribe = controller.subscribe(followController);
	followController();

	return {
		snapshot() {
			const current = controller.snapshot();
			if (merged && mergedFrom === current) return merged;
			mergedFrom = current;
			merged = {
				...current,
				nodes: current.nodes.map((node) => {
					const usage = node.pid === undefined ? undefined : usageByPid.get(node.pid);
					const metrics = metricsByNode.get(node.name);
					const history = historyByNode.get(node.name);
					return {
						...node,
						...(usage ? {usage} : {}),
						...(metrics ? {metrics} : {}),
						...(history ? {history} : {}),
					};
				}),
			};
			return merged;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		start: (name) => controller.startNode(name),
		stop: (name) => controller.stopNode(name),
		kill: (name) => controller.killNode(name),
		restart: (name) => controller.restartNode(name),
		restartAll: () => void controller.restartAll(),
		pin: (name, cpus) => controller.pin(name, cpus),
		stopAll: () => controller.stopAll(),
		openLog(name) {
			const plan = plans.get(name);
			if (!plan) throw new Error(`no node named ${name}`);
			return openLogTail(plan.cwd);
		},
		onlineCpus: () => onlineCpus,
		crashReports: (name, limit) => readCrashReports(crashDir, name, limit),
		close() {
			unsubscribe();
			sampler.stop();
			scraper.stop();
			listeners.clear();
		},
	};
}
