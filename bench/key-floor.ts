// The floor under "keypress to screen": the benchmark's own way of timing a key (tmux send-keys,
// then capture-pane every 2 ms until the selection moved) against a one-line program that redraws
// at once, in the same 160x48 tmux. What zeek-tui's figures add to this is zeek-tui's.
// `npx tsx bench/key-floor.ts [presses]`; `taskset -c 0 npx tsx bench/key-floor.ts` on one core.
import os from 'node:os';
import {openTerminal} from '../test/helpers/tmux.js';
import {percentile, sleep} from './measure.js';
import {keyLatencies} from './tui.js';

const presses = Number(process.argv[2] ?? 40);
const names = ['worker-1', 'worker-2'];
// Draws the selection mark the way zeek-tui's table does, on j and k.
const responder = `
process.stdin.setRawMode(true);
const draw = (name) => process.stdout.write('\\x1b[H\\x1b[2K› ' + name + ' running\\n');
process.stdin.on('data', (key) => {
	if (String(key) === 'q') process.exit(0);
	draw(String(key) === 'j' ? '${names[1]}' : '${names[0]}');
});
process.stdout.write('\\x1b[2J');
draw('${names[0]}');
`;

const terminal = openTerminal([process.execPath, '-e', responder], {
	columns: 160,
	rows: 48,
	cwd: os.tmpdir(),
});
try {
	await terminal.waitForText(`› ${names[0]}`);
	await sleep(500);
	const results = await keyLatencies(
		{terminal, names},
		{above: names[0]!, below: names[1]!, presses},
	);
	const latencies = results.map((press) => press.ms);
	console.log(
		`${presses} presses: p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
			`p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
	);
} finally {
	terminal.close();
}
