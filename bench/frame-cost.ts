// What one Ink frame of the whole screen costs: zeek-tui's App (without the live painter, so every
// snapshot draws a frame) on a made-up cluster whose CPU figures change on every snapshot, rendered
// by Ink into a 160x48 stream that counts what it is sent. Prints CPU milliseconds per frame and
// bytes written per frame; KEYS=1 draws the frames for j and k presses instead, and also prints
// the time from a key to its frame. No processes, no terminal: a quick loop for changes to the view
// (`npx tsx bench/frame-cost.ts [nodes] [frames]`) before the full benchmark.
import {PassThrough, Writable} from 'node:stream';
import {performance} from 'node:perf_hooks';
import {percentile} from './measure.js';

process.env['NODE_ENV'] = 'production';
const nodeCount = Number(process.argv[2] ?? 32);
const frames = Number(process.argv[3] ?? 60);

const {createElement} = await import('react');
const {render} = await import('ink');
const {App} = await import('../source/app.js');
// As run-tui draws; FAST_OUTPUT=0 measures Ink's own last stage.
if (process.env['FAST_OUTPUT'] !== '0') {
	const {installFastOutput} = await import('../source/ui/ink-fast-output.js');
	await installFastOutput();
}
type Snapshot = ReturnType<Parameters<typeof App>[0]['client']['snapshot']>;

const startedAt = Date.now() - 3_600_000;
let sequence = 0;
const makeSnapshot = (): Snapshot => ({
	spoolDir: '/var/spool/zeek',
	nodes: Array.from({length: nodeCount}, (_, index) => {
		const type =
			index === 0 ? 'manager' : index === 1 ? 'logger' : index === 2 ? 'proxy' : 'worker';
		const name = type === 'worker' ? `worker-${index - 2}` : `${type}-1`;
		const cpu = ((index * 7 + sequence * 13) % 40) / 10;
		return {
			name,
			type,
			state: 'running',
			pid: 10_000 + index,
			startedAt,
			restarts: 0,
			cpus: [index % 2],
			exits: [],
			argv: ['zeek', '-i', 'eth0'],
			cwd: `/var/spool/zeek/${name}`,
			usage: {cpu, memory: 80_000_000 + index * 1_000_000},
			history: {
				cpu: Array.from({length: 30}, (_, k) => ((k + sequence + index) % 9) / 2),
				memory: [],
				packetsPerSecond: [],
			},
			...(type === 'worker'
				? {metrics: {at: Date.now(), packetsPerSecond: 1000 + sequence, dropPercent: 0.1}}
				: {}),
		};
	}),
});

let snapshot = makeSnapshot();
const listeners = new Set<() => void>();
const noop = () => undefined;
const client = {
	snapshot: () => snapshot,
	subscribe(listener: () => void) {
		listeners.add(listener);
		return () => listeners.delete(listener);
	},
	start: noop,
	stop: noop,
	kill: noop,
	restart: noop,
	restartAll: noop,
	pin: noop,
	stopAll: async () => undefined,
	openLog: () => ({lines: () => [], subscribe: () => noop, close: noop}),
	onlineCpus: () => [0, 1],
};

let renders = 0;
let renderMs = 0;
let bytes = 0;
let writes = 0;
/** Set while a key waits for its frame. */
let frameWritten: (() => void) | undefined;
const stdout = Object.assign(
	new Writable({
		write(chunk: Buffer, _encoding, callback) {
			bytes += chunk.length;
			if (process.env['DUMP']) process.stderr.write(chunk);
			writes++;
			frameWritten?.();
			callback();
		},
	}),
	{columns: 160, rows: 48, isTTY: true},
) as unknown as NodeJS.WriteStream;

const keyboard = new PassThrough();
const stdin = Object.assign(keyboard, {
	isTTY: true,
	setRawMode: () => stdin,
	ref: () => stdin,
	unref: () => stdin,
}) as unknown as NodeJS.ReadStream;

const instance = render(createElement(App, {client: client as never, columns: 160, rows: 48}), {
	stdout,
	stdin,
	onRender({renderTime}) {
		renders++;
		renderMs += renderTime;
	},
	patchConsole: false,
	exitOnCtrlC: false,
});
const sleep = (ms: number) =>
	new Promise((resolve) => {
		setTimeout(resolve, ms);
	});
await sleep(1500);
console.error(`initial: ${bytes} bytes, ${writes} writes`);

const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
const bytesBefore = bytes;
const writesBefore = writes;
const rendersBefore = renders;
const renderMsBefore = renderMs;
// KEYS=1: the frames are answers to j and k, timed from the key to the frame's first write.
const keys = process.env['KEYS'] === '1';
const keyLatencies: number[] = [];
for (let frame = 0; frame < frames; frame++) {
	if (keys) {
		const pressed = performance.now();
		const written = new Promise<void>((resolve) => {
			frameWritten = resolve;
		});
		keyboard.write(frame % 2 === 0 ? 'j' : 'k');
		await written;
		keyLatencies.push(performance.now() - pressed);
	} else {
		sequence++;
		snapshot = makeSnapshot();
		for (const listener of listeners) listener();
	}
	// The snapshot hook draws at most once a second; Ink at most 30 frames a second.
	await sleep(Number(process.env['FRAME_MS'] ?? (keys ? 100 : 1010)));
}
const cpu = process.cpuUsage(cpuBefore);
const wall = performance.now() - wallBefore;
instance.unmount();
if (process.env['THREADS']) {
	const {readdirSync, readFileSync} = await import('node:fs');
	for (const tid of readdirSync('/proc/self/task')) {
		const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
		const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		console.log(`thread ${tid} ${name}: ${(Number(fields[11]) + Number(fields[12])) * 10} ms`);
	}
}
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(
	`${nodeCount} nodes, ${frames} frames in ${(wall / 1000).toFixed(1)} s: ` +
		`${(cpuMs / frames).toFixed(2)} ms CPU per frame (${((cpuMs / wall) * 100).toFixed(2)} % of a core), ` +
		`${Math.round((bytes - bytesBefore) / frames)} bytes and ${((writes - writesBefore) / frames).toFixed(1)} writes per frame, ` +
		`${((renders - rendersBefore) / frames).toFixed(1)} Ink renders per frame taking ${((renderMs - renderMsBefore) / frames).toFixed(1)} ms, RSS ${(process.memoryUsage.rss() / 1e6).toFixed(0)} MB`,
);
if (keys) {
	console.log(
		`key to first write: p50 ${percentile(keyLatencies, 50).toFixed(1)} ms, ` +
			`p95 ${percentile(keyLatencies, 95).toFixed(1)} ms`,
	);
}
process.exit(0);
