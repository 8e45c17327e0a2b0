// tsx bench/heap-summary.ts FILE.heapsnapshot [top]: what a V8 heap snapshot holds, by
// constructor (count and shallow size), plus the biggest single objects. Enough to see what keeps
// memory after a flood without opening DevTools.
import {readFileSync} from 'node:fs';

type Snapshot = {
	snapshot: {
		meta: {node_fields: string[]; node_types: [string[], ...unknown[]]};
		node_count: number;
	};
	nodes: number[];
	strings: string[];
};

const [file, topText] = process.argv.slice(2);
if (!file) {
	console.error('usage: tsx bench/heap-summary.ts FILE.heapsnapshot [top]');
	process.exit(2);
}
const top = Number(topText ?? 30);
const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = heap.snapshot.meta.node_fields;
const types = heap.snapshot.meta.node_types[0];
const width = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');

const groups = new Map<string, {count: number; size: number}>();
const biggest: Array<{name: string; size: number}> = [];
let total = 0;
for (let index = 0; index < heap.nodes.length; index += width) {
	const type = types[heap.nodes[index + typeAt]!]!;
	const size = heap.nodes[index + sizeAt]!;
	const rawName = heap.strings[heap.nodes[index + nameAt]!] ?? '';
	// Strings and code are grouped by type: their "names" are their contents.
	const name =
		type === 'object' || type === 'closure' || type === 'native'
			? `${type} ${rawName}`
			: `(${type})`;
	const group = groups.get(name) ?? {count: 0, size: 0};
	group.count++;
	group.size += size;
	groups.set(name, group);
	total += size;
	if (size > 256 * 1024) biggest.push({name: `${type} ${rawName.slice(0, 60)}`, size});
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1).padStart(7)} MB`;
console.log(
	`heap: ${mb(total)} in ${heap.snapshot.node_count} objects\n\nby constructor or type (shallow size)`,
);
for (const [name, group] of [...groups.entries()]
	.sort((a, b) => b[1].size - a[1].size)
	.slice(0, top)) {
	console.log(`  ${mb(group.size)}  ${String(group.count).padStart(8)}  ${name}`);
}
console.log('\nobjects over 256 KB');
for (const item of biggest.sort((a, b) => b.size - a.size).slice(0, top))
	console.log(`  ${mb(item.size)}  ${item.name}`);
