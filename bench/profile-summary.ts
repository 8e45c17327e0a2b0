// tsx bench/profile-summary.ts FILE.cpuprofile [top] [from-s] [to-s]: where a V8 CPU profile's
// time went, by function (self time), by function including callees, and by file; optionally only
// between two moments (seconds from the profile's start), to leave start-up out.
import {readFileSync} from 'node:fs';
import path from 'node:path';

type ProfileNode = {
	id: number;
	callFrame: {functionName: string; url: string; lineNumber: number};
	children?: number[];
};
type Profile = {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
};

const [file, topText, fromText, toText] = process.argv.slice(2);
if (!file) {
	console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [top] [from-s] [to-s]');
	process.exit(2);
}
const top = Number(topText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
	for (const child of node.children ?? []) parent.set(child, node.id);

// Self time per node from the samples (each sample's time is the delta that follows it).
const from = Number(fromText ?? 0) * 1e6;
const to = toText === undefined ? Infinity : Number(toText) * 1e6;
const self = new Map<number, number>();
let at = 0;
profile.samples.forEach((id, index) => {
	at += profile.timeDeltas[index] ?? 0;
	if (at < from || at > to) return;
	const delta = profile.timeDeltas[index + 1] ?? 0;
	self.set(id, (self.get(id) ?? 0) + delta);
});

const where = (node: ProfileNode) => {
	const url = node.callFrame.url.replace(/^file:\/\//, '');
	const short = url.includes('node_modules/')
		? url.slice(url.lastIndexOf('node_modules/') + 13)
		: url
			? path.relative(process.cwd(), url)
			: '';
	return short ? `${short}:${node.callFrame.lineNumber + 1}` : '(native)';
};
const nameOf = (node: ProfileNode) =>
	`${node.callFrame.functionName || '(anonymous)'} ${where(node)}`;

// Parts of zeek-tui, recognised by the first frame from the leaf up that belongs to one of them
// (node internals such as node:net are skipped over, so a socket write counts for its caller).
const PARTS: Array<[string, RegExp]> = [
	[
		'view: React + Ink',
		/ink\/build|react|yoga|ansi|string-width|slice-ansi|wrap-ansi|cli-truncate|\/ui\/|\/app\.js/,
	],
	['resource sampler', /resource-sampler/],
	['metrics scraper', /metrics\/(scraper|prometheus|history)/],
	['controller', /cluster\/(controller|state-file|affinity|node-state|process|crash-report)/],
	['log tails', /logs\/log-tail/],
	['local client', /cluster\/local-client/],
];
const partOf = (leaf: number): string => {
	const special = byId.get(leaf)!.callFrame.functionName;
	if (['(idle)', '(program)', '(garbage collector)'].includes(special)) return special;
	for (let frame: number | undefined = leaf; frame !== undefined; frame = parent.get(frame)) {
		const url = byId.get(frame)!.callFrame.url;
		for (const [name, pattern] of PARTS) if (pattern.test(url)) return name;
	}
	return 'other (node internals, timers, modules)';
};
const byPart = new Map<string, number>();

const selfByName = new Map<string, number>();
const totalByName = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, time] of self) {
	const node = byId.get(id)!;
	selfByName.set(nameOf(node), (selfByName.get(nameOf(node)) ?? 0) + time);
	byPart.set(partOf(id), (byPart.get(partOf(id)) ?? 0) + time);
	const fileName = where(node).replace(/:\d+$/, '');
	byFile.set(fileName, (byFile.get(fileName) ?? 0) + time);
	// Total time: each distinct function on the sample's stack gets the sample once.
	const seen = new Set<string>();
	for (let frame: number | undefined = id; frame !== undefined; frame = parent.get(frame)) {
		const name = nameOf(byId.get(frame)!);
		if (seen.has(name)) continue;
		seen.add(name);
		totalByName.set(name, (totalByName.get(name) ?? 0) + time);
	}
}

const wall = Math.min(to, profile.endTime - profile.startTime) - from;
const busy = [...self.entries()]
	.filter(
		([id]) =>
			!['(idle)', '(program)', '(garbage collector)'].includes(
				byId.get(id)!.callFrame.functionName,
			),
	)
	.reduce((sum, [, time]) => sum + time, 0);
const ms = (us: number) =>
	`${(us / 1000).toFixed(0).padStart(7)} ms ${((us / wall) * 100).toFixed(2).padStart(6)} %`;
console.log(
	`profile: ${(wall / 1e6).toFixed(1)} s wall from ${from / 1e6} s, JavaScript busy ${ms(busy)} of wall`,
);
for (const special of ['(program)', '(garbage collector)', '(idle)']) {
	console.log(`  ${special.padEnd(22)} ${ms(selfByName.get(`${special} (native)`) ?? 0)}`);
}
const print = (title: string, map: Map<string, number>) => {
	console.log(`\n${title}`);
	for (const [name, time] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
		console.log(`  ${ms(time)}  ${name}`);
	}
};
print('by part of zeek-tui', byPart);
print('self time by function', selfByName);
print('total time by function (callees included)', totalByName);
print('self time by file', byFile);
